/**
 * Workflow composition: a data pipeline made of three workflows. `DataPipelineWorkflow` runs
 * extraction, transformation and loading each as a child workflow and composes their results
 * into one report. Under Temporal each child is a workflow execution of its own, with its own
 * history, retries and place in the Web UI, linked to its parent.
 */
import { ChildWorkflowFailedError, MCPApp, Workflow, WorkflowApplicationError, workflowNameOf, WorkflowResult, type WorkflowClass, type WorkflowValueOf } from '@mcp-agent/core';
import { warehouse } from './warehouse.js';

export const app = new MCPApp({ name: 'pipeline' });

/** What the pipeline is asked to do. */
export interface PipelineInput {
  /** A name for the data's origin, for the report (a file name, an export's id). */
  source: string;
  /** The data: comma-separated values with a header line (no quoted fields). */
  csv: string;
  /** The warehouse table to load into. */
  table: string;
  /** Rows per load task; default 100. */
  batchSize?: number;
}

/** A line that was left out, and why. Line 1 is the header. */
export interface LineIssue {
  line: number;
  reason: string;
}

/** A data line, by column name. */
export interface RawRecord {
  line: number;
  values: Record<string, string>;
}

/** What extraction produced. */
export interface Extraction {
  source: string;
  records: RawRecord[];
  rejected: LineIssue[];
}

/** A clean customer row, as the warehouse stores it. */
export interface Customer {
  id: string;
  name: string;
  email: string;
  country: string;
  lifetimeValueCents: number;
}

/** What transformation produced. */
export interface Transformation {
  customers: Customer[];
  dropped: LineIssue[];
  /** Lines whose id came again later; the later line wins. */
  duplicates: number;
}

/** What loading did. */
export interface LoadSummary {
  table: string;
  loaded: number;
  batches: number;
}

/** One step of the pipeline and the child workflow that ran it. */
export interface StepRun {
  step: PipelineStep;
  workflowName: string;
  workflowId: string;
}

export type PipelineStep = 'extract' | 'transform' | 'load';

/** The pipeline's report: the children's results, composed. */
export interface PipelineReport {
  source: string;
  table: string;
  extracted: number;
  rejected: LineIssue[];
  transformed: number;
  dropped: LineIssue[];
  duplicates: number;
  loaded: number;
  batches: number;
  /** The child workflows that ran, in order. */
  steps: StepRun[];
  /** The step whose child workflow failed, when one did. */
  failedStep?: PipelineStep;
}

const COLUMNS = ['id', 'name', 'email', 'country', 'lifetime_value'] as const;

// --- tasks: the work itself. Each runs as an activity under Temporal: its result is recorded,
// and a failed attempt is retried by the policy in mcp_agent.config.yaml. ---------------------

/** Parses the CSV. A source without the expected columns can't succeed on a retry: non-retryable. */
export const extractRecords = app.workflowTask(
  async function extractRecords(source: string, csv: string): Promise<Extraction> {
    const lines = csv.split(/\r?\n/);
    const header = (lines[0] ?? '').split(',').map((column) => column.trim().toLowerCase());
    const missing = COLUMNS.filter((column) => !header.includes(column));
    if (missing.length > 0) {
      throw WorkflowApplicationError.nonRetryable(`source "${source}" lacks the columns ${missing.join(', ')} (header: "${lines[0] ?? ''}")`, 'InvalidSource');
    }
    const records: RawRecord[] = [];
    const rejected: LineIssue[] = [];
    lines.slice(1).forEach((text, index) => {
      const line = index + 2;
      if (text.trim() === '') return;
      const fields = text.split(',');
      if (fields.length !== header.length) {
        rejected.push({ line, reason: `expected ${header.length} fields, got ${fields.length}` });
        return;
      }
      records.push({ line, values: Object.fromEntries(header.map((column, position) => [column, (fields[position] ?? '').trim()])) });
    });
    if (records.length === 0) throw WorkflowApplicationError.nonRetryable(`source "${source}" has no data lines`, 'InvalidSource');
    return { source, records, rejected };
  },
  { name: 'pipeline.extract' },
);

/** Validates and normalises records; drops what can't be fixed, keeps the last line of each id. */
export const transformRecords = app.workflowTask(
  async function transformRecords(records: RawRecord[]): Promise<Transformation> {
    const byId = new Map<string, Customer>();
    const dropped: LineIssue[] = [];
    let duplicates = 0;
    for (const { line, values } of records) {
      const id = values.id ?? '';
      const email = (values.email ?? '').toLowerCase();
      const country = (values.country ?? '').toUpperCase();
      const value = Number(values.lifetime_value);
      let reason: string | undefined;
      if (id === '') reason = 'no id';
      else if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) reason = `invalid email "${values.email ?? ''}"`;
      else if (!/^[A-Z]{2}$/.test(country)) reason = `invalid country "${values.country ?? ''}"`;
      else if (values.lifetime_value === '' || !Number.isFinite(value) || value < 0) reason = `invalid lifetime_value "${values.lifetime_value ?? ''}"`;
      if (reason !== undefined) {
        dropped.push({ line, reason });
        continue;
      }
      if (byId.has(id)) duplicates += 1;
      byId.set(id, { id, name: values.name ?? '', email, country, lifetimeValueCents: Math.round(value * 100) });
    }
    return { customers: [...byId.values()], dropped, duplicates };
  },
  { name: 'pipeline.transform' },
);

/** Writes one batch. Upserts by id, so a retried attempt writes the same rows again, not twice. */
export const loadBatch = app.workflowTask(
  async function loadBatch(table: string, customers: Customer[]): Promise<number> {
    return warehouse.upsert(
      table,
      customers.map((customer) => ({ ...customer })),
    );
  },
  { name: 'pipeline.loadBatch' },
);

// --- the child workflows: each a unit that can run, fail and be retried on its own. ---------

@app.workflow
export class DataExtractionWorkflow extends Workflow<Extraction> {
  @app.workflowRun
  async run(input: { source: string; csv: string }): Promise<WorkflowResult<Extraction>> {
    return new WorkflowResult({ value: await extractRecords(input.source, input.csv) });
  }
}

@app.workflow
export class DataTransformationWorkflow extends Workflow<Transformation> {
  @app.workflowRun
  async run(records: RawRecord[]): Promise<WorkflowResult<Transformation>> {
    return new WorkflowResult({ value: await transformRecords(records) });
  }
}

/** Loads in batches, one task each: a failure resumes from the batch that failed, not from the start. */
@app.workflow
export class DataLoadingWorkflow extends Workflow<LoadSummary> {
  @app.workflowRun
  async run(input: { table: string; customers: Customer[]; batchSize: number }): Promise<WorkflowResult<LoadSummary>> {
    let loaded = 0;
    let batches = 0;
    for (let start = 0; start < input.customers.length; start += input.batchSize) {
      loaded += await loadBatch(input.table, input.customers.slice(start, start + input.batchSize));
      batches += 1;
    }
    return new WorkflowResult({ value: { table: input.table, loaded, batches } });
  }
}

// --- the parent: composes the children. -------------------------------------------------------

function checkInput(input: PipelineInput): void {
  const problems: string[] = [];
  if (typeof input?.source !== 'string' || input.source.trim() === '') problems.push('source must be a non-empty string');
  if (typeof input?.csv !== 'string') problems.push('csv must be a string');
  if (typeof input?.table !== 'string' || !/^[a-z_][a-z0-9_]*$/.test(input.table)) problems.push('table must be a lower-case identifier such as "customers"');
  if (input?.batchSize !== undefined && !(Number.isInteger(input.batchSize) && input.batchSize > 0)) problems.push('batchSize must be a positive whole number');
  if (problems.length > 0) throw WorkflowApplicationError.nonRetryable(`invalid pipeline input: ${problems.join('; ')}`, 'InvalidInput');
}

@app.workflow
export class DataPipelineWorkflow extends Workflow<PipelineReport> {
  @app.workflowRun
  async run(input: PipelineInput): Promise<WorkflowResult<PipelineReport>> {
    checkInput(input);
    const report: PipelineReport = {
      source: input.source,
      table: input.table,
      extracted: 0,
      rejected: [],
      transformed: 0,
      dropped: [],
      duplicates: 0,
      loaded: 0,
      batches: 0,
      steps: [],
    };
    // Runs one step as a child workflow with an id derived from ours: starting the pipeline
    // again under the same id finds its children by name in the Web UI and in `temporal workflow list`.
    const step = async <W extends Workflow<unknown>>(name: PipelineStep, child: WorkflowClass<W>, childInput: unknown): Promise<WorkflowValueOf<W>> => {
      const workflowId = `${this.id}-${name}`;
      report.steps.push({ step: name, workflowName: workflowNameOf(child), workflowId });
      report.failedStep = name;
      const result = await this.executeChild(child, childInput, { workflowId });
      if (result.value === undefined) throw new WorkflowApplicationError(`${name} step returned no value`, { type: 'EmptyStep', nonRetryable: true });
      delete report.failedStep;
      return result.value;
    };

    try {
      const extraction = await step('extract', DataExtractionWorkflow, { source: input.source, csv: input.csv });
      report.extracted = extraction.records.length;
      report.rejected = extraction.rejected;

      const transformation = await step('transform', DataTransformationWorkflow, extraction.records);
      report.transformed = transformation.customers.length;
      report.dropped = transformation.dropped;
      report.duplicates = transformation.duplicates;

      const load = await step('load', DataLoadingWorkflow, { table: input.table, customers: transformation.customers, batchSize: input.batchSize ?? 100 });
      report.loaded = load.loaded;
      report.batches = load.batches;
      return new WorkflowResult({ value: report });
    } catch (error) {
      // A child that fails raises ChildWorkflowFailedError here; report which step it was.
      if (!ChildWorkflowFailedError.is(error)) throw error;
      return new WorkflowResult({ value: report, error: `pipeline stopped at the ${report.failedStep} step: ${error.message}` });
    }
  }
}
