// The default human input handler: it refuses at once, with the ways out, when standard input is
// not a terminal (as under a service manager or in CI), rather than wait for input that never comes.
import { afterEach, describe, expect, it } from 'vitest';
import { consoleHumanInput } from './human-input-console.js';

const original = Object.getOwnPropertyDescriptor(process.stdin, 'isTTY');
afterEach(() => {
  if (original === undefined) delete (process.stdin as { isTTY?: boolean }).isTTY;
  else Object.defineProperty(process.stdin, 'isTTY', original);
});

describe('the console human input handler', () => {
  it('refuses when standard input is not a terminal, naming the request and the fixes', async () => {
    Object.defineProperty(process.stdin, 'isTTY', { value: false, configurable: true });
    const started = Date.now();
    const error = await consoleHumanInput({ requestId: 'r1', prompt: 'Approve the refund?' }).catch((caught: unknown) => caught);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect((error as Error).message).toBe(
      'human input "Approve the refund?": standard input is not a terminal, so the console can\'t answer; ' +
        'pass a handler (new MCPApp({ humanInput })) or run on Temporal, where the run waits for the __human_input__ signal',
    );
  });
});
