/**
 * The default human input handler: asks on the terminal. Node only.
 */
import { createInterface } from 'node:readline/promises';
import { WorkflowUsageError } from '../sandbox/errors.js';
import type { HumanInputRequest, HumanInputResponse } from '../sandbox/human-input.js';

/**
 * Prints the request and reads one line from the terminal. Refuses at once when standard input is
 * not a terminal (a service, CI), rather than waiting on input that will never come.
 */
export async function consoleHumanInput(request: HumanInputRequest): Promise<HumanInputResponse> {
  if (process.stdin.isTTY !== true) {
    throw new WorkflowUsageError(
      `human input "${request.prompt}": standard input is not a terminal, so the console can't answer; ` +
        'pass a handler (new MCPApp({ humanInput })) or run on Temporal, where the run waits for the __human_input__ signal',
    );
  }
  const lines = createInterface({ input: process.stdin, output: process.stdout });
  try {
    const description = request.description === undefined ? '' : `\n${request.description}`;
    const response = await lines.question(`\n[human input] ${request.prompt}${description}\n> `);
    return { requestId: request.requestId, response };
  } finally {
    lines.close();
  }
}
