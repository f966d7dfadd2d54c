/**
 * A progress line while waiting on long work: on a terminal, one line on stderr rewritten in place
 * (elapsed time and the workflow's status); elsewhere, nothing, so scripts read clean output.
 */
import type { WorkflowHandle } from '@mcp-agent/core';

const FRAMES = ['-', '\\', '|', '/'];

/** Waits for `work`, showing progress for `handle` on `stream` when it is a terminal. */
export async function withProgress<T>(work: Promise<T>, handle: WorkflowHandle<unknown>, stream: NodeJS.WriteStream | undefined = process.stderr): Promise<T> {
  if (stream === undefined || stream.isTTY !== true) return work;
  const started = Date.now();
  let status = 'RUNNING';
  let frame = 0;
  const draw = (): void => {
    const seconds = Math.round((Date.now() - started) / 1000);
    stream.write(`\r${FRAMES[frame % FRAMES.length]} waiting for ${handle.workflowId}: ${status}, ${seconds}s (Ctrl-C stops waiting; the workflow goes on)\u001b[K`);
    frame += 1;
  };
  const spinner = setInterval(draw, 250);
  const poll = setInterval(() => {
    handle.describe().then(
      (description) => {
        status = description.status;
      },
      () => undefined,
    );
  }, 2_000);
  draw();
  try {
    return await work;
  } finally {
    clearInterval(spinner);
    clearInterval(poll);
    stream.write('\r\u001b[K');
  }
}
