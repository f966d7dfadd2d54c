/**
 * A durable analyst agent. It reads the data files of a folder through the filesystem MCP server,
 * then works in three model steps: gather the figures, analyse them, write the report.
 *
 * Every tool call and every model round trip is a checkpoint: on Temporal each is an activity
 * whose result the server records. If the worker dies during the analysis, another worker replays
 * the history and carries on from there: the files are not read again and the gather step is not
 * paid for twice.
 */
import { Agent, MCPApp, Workflow, WorkflowApplicationError, WorkflowResult, type McpToolResult } from '@mcp-agent/core';
import { OpenAIAugmentedLLM } from '@mcp-agent/providers-openai';

export const app = new MCPApp({ name: 'durable-agent' });

/** What to analyse: a folder the filesystem server may read, and the question to answer. */
export interface AnalysisRequest {
  /** Absolute path of the folder, as the filesystem MCP server sees it. */
  folder: string;
  question: string;
}

/** What the analyst hands back: the files it read and the output of each step. */
export interface AnalysisReport {
  question: string;
  files: string[];
  findings: string;
  analysis: string;
  report: string;
}

/** Where the analyst is, for the `stage` query. */
export type AnalystStage = 'reading files' | 'gathering' | 'analysing' | 'reporting' | 'done';

/** Files the analyst reads: small text data. */
const DATA_FILE = /\.(csv|md|txt)$/i;

/** The text of a tool result; a tool's own failure (isError) becomes a clear, non-retried error. */
function toolText(tool: string, result: McpToolResult): string {
  const text = result.content.map((item) => (typeof item.text === 'string' ? item.text : '')).join('\n');
  if (result.isError) throw WorkflowApplicationError.nonRetryable(`${tool} failed: ${text}`, 'ToolError');
  return text;
}

@app.workflow
export class AnalystWorkflow extends Workflow<AnalysisReport> {
  #stage: AnalystStage = 'reading files';

  @app.workflowQuery
  stage(): AnalystStage {
    return this.#stage;
  }

  @app.workflowRun
  async run(request: AnalysisRequest): Promise<WorkflowResult<AnalysisReport>> {
    const folder = typeof request?.folder === 'string' ? request.folder.replace(/\/+$/, '') : '';
    if (!folder.startsWith('/') || typeof request.question !== 'string' || request.question.trim() === '') {
      throw WorkflowApplicationError.nonRetryable(`AnalystWorkflow needs { folder: an absolute path, question: some text }, got ${JSON.stringify(request)}`, 'InvalidInput');
    }

    const agent = new Agent({
      name: 'analyst',
      instruction: 'You are a careful business analyst. Use only the figures you are given, and say where each comes from.',
      serverNames: ['filesystem'],
    });
    try {
      // Read the data with MCP tool calls (one activity each).
      const listing = toolText('list_directory', await agent.callTool('filesystem_list_directory', { path: folder }));
      const files = [...listing.matchAll(/^\[FILE\] (.+)$/gm)]
        .map((match) => match[1]?.trim() ?? '')
        .filter((name) => DATA_FILE.test(name))
        .sort();
      if (files.length === 0) {
        throw WorkflowApplicationError.nonRetryable(`no data files (.csv, .md, .txt) in ${folder}`, 'NoData');
      }
      const contents: string[] = [];
      for (const file of files) {
        const text = toolText('read_text_file', await agent.callTool('filesystem_read_text_file', { path: `${folder}/${file}` }));
        contents.push(`--- ${file}\n${text.trim()}`);
      }

      // Three model steps, one round trip each. The LLM keeps the conversation, so each step
      // builds on the last; on Temporal each is the activity llm.openai.complete.
      const llm = await agent.attachLlm(OpenAIAugmentedLLM);
      this.#stage = 'gathering';
      const findings = await llm.generateStr(`Gather: list every figure in these files, grouped by period and by region, with the notes that explain them.\n\n${contents.join('\n\n')}`);
      this.#stage = 'analysing';
      const analysis = await llm.generateStr(`Analyse: from the figures you gathered, what changed, by how much, and why?\n\n${findings}`);
      this.#stage = 'reporting';
      const report = await llm.generateStr(`Report: answer "${request.question}" for the leadership team in three sentences, from this analysis.\n\n${analysis}`);
      this.#stage = 'done';
      return new WorkflowResult({ value: { question: request.question, files, findings, analysis, report } });
    } finally {
      await agent.close();
    }
  }
}
