/**
 * A small HTTP job service on 127.0.0.1, standing in for the external system whose jobs the
 * workflow polls (a report export, a video transcode, a batch import). The starter and the tests
 * run it; the workflow reaches it only through its task, over HTTP.
 *
 *   POST /jobs        { id?, readyAfterPolls?, outcome?, result?, error?, unavailableOnReads? } -> 201 { id, status }
 *   GET  /jobs/:id    -> 200 { id, status, progress, result?, error? }, 404 for an unknown job
 *
 * A job here finishes after a number of status reads rather than after some time, so that a run
 * is the same on every engine and clock. `unavailableOnReads` makes those reads answer 503, as a
 * service under load does.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type JobState = 'queued' | 'running' | 'succeeded' | 'failed';

/** What GET /jobs/:id answers. */
export interface JobStatus {
  id: string;
  status: JobState;
  /** Percent done. */
  progress: number;
  result?: string;
  error?: string;
}

/** A job to create. */
export interface JobSpec {
  /** Default: `job-<n>`. */
  id?: string;
  /** The read that first answers the final state (1 = the first read). Default 3. */
  readyAfterPolls?: number;
  /** Default `succeeded`. */
  outcome?: 'succeeded' | 'failed' | 'never';
  result?: string;
  error?: string;
  /** Reads (counting every request, 1-based) that answer 503 Service Unavailable. */
  unavailableOnReads?: number[];
}

export interface JobService {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** Creates a job (replacing one of the same id) and returns its id. */
  createJob(spec?: JobSpec): string;
  /** Every status request for a job so far, with the HTTP status it got. */
  reads(jobId: string): number[];
  /** Forgets every job. */
  reset(): void;
  close(): Promise<void>;
}

interface Job {
  spec: Required<Omit<JobSpec, 'result' | 'error'>> & Pick<JobSpec, 'result' | 'error'>;
  requests: number[];
  answered: number;
}

/** Starts the service; `onRequest` hears each request and its answer, for logs. */
export async function startJobService(options: { port?: number; onRequest?: (line: string) => void } = {}): Promise<JobService> {
  const jobs = new Map<string, Job>();
  let counter = 0;

  const createJob = (spec: JobSpec = {}): string => {
    const id = spec.id ?? `job-${(counter += 1)}`;
    jobs.set(id, {
      spec: {
        id,
        readyAfterPolls: spec.readyAfterPolls ?? 3,
        outcome: spec.outcome ?? 'succeeded',
        unavailableOnReads: spec.unavailableOnReads ?? [],
        result: spec.result,
        error: spec.error,
      },
      requests: [],
      answered: 0,
    });
    return id;
  };

  const statusOf = (job: Job): JobStatus => {
    const { id, readyAfterPolls, outcome } = job.spec;
    if (outcome !== 'never' && job.answered >= readyAfterPolls) {
      return outcome === 'succeeded'
        ? { id, status: 'succeeded', progress: 100, result: job.spec.result ?? `${id} done` }
        : { id, status: 'failed', progress: 100, error: job.spec.error ?? `${id} failed` };
    }
    if (job.answered === 1) return { id, status: 'queued', progress: 0 };
    const progress = outcome === 'never' ? 50 : Math.round((100 * (job.answered - 1)) / Math.max(1, readyAfterPolls - 1));
    return { id, status: 'running', progress: Math.min(progress, 99) };
  };

  const send = (response: ServerResponse, status: number, body: unknown): number => {
    response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    return status;
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<string> => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (request.method === 'POST' && path === '/jobs') {
      let text = '';
      for await (const chunk of request) text += String(chunk);
      let spec: JobSpec;
      try {
        spec = text === '' ? {} : (JSON.parse(text) as JobSpec);
      } catch {
        send(response, 400, { error: 'the body must be JSON' });
        return '400 bad JSON';
      }
      const id = createJob(spec);
      send(response, 201, { id, status: 'queued' });
      return `201 created ${id}`;
    }
    const match = /^\/jobs\/([^/]+)$/.exec(path);
    if (request.method === 'GET' && match !== null) {
      const job = jobs.get(decodeURIComponent(match[1] ?? ''));
      if (job === undefined) return `${send(response, 404, { error: `no job ${match[1]}` })} unknown job`;
      const read = job.requests.length + 1;
      if (job.spec.unavailableOnReads.includes(read)) {
        job.requests.push(send(response, 503, { error: 'the job service is overloaded, try again' }));
        return '503 unavailable';
      }
      job.answered += 1;
      const status = statusOf(job);
      job.requests.push(send(response, 200, status));
      return `200 ${status.status} (${status.progress}%)`;
    }
    return `${send(response, 404, { error: `no route ${request.method} ${path}` })} no route`;
  };

  const server = createServer((request, response) => {
    handle(request, response).then(
      (outcome) => options.onRequest?.(`job service: ${request.method} ${request.url} -> ${outcome}`),
      (error: unknown) => {
        if (!response.headersSent) send(response, 500, { error: String(error) });
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    createJob,
    reads: (jobId) => [...(jobs.get(jobId)?.requests ?? [])],
    reset: () => jobs.clear(),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
