// Workflows that ask a person, for the human input tests on the Temporal dev server; the worker
// bundles this module for the sandbox.
import { MCPApp, requestHumanInput, TimeoutError, Workflow, WorkflowResult, type HumanInputResponse } from '@mcp-agent/core';

export const humanInputApp = new MCPApp({ name: 'human-input' });
const app = humanInputApp;

type Asked = { response: string; requestId: string; metadata?: Record<string, unknown> | undefined };
const asked = (answer: HumanInputResponse): Asked => ({
  response: answer.response,
  requestId: answer.requestId,
  ...(answer.metadata === undefined ? {} : { metadata: answer.metadata }),
});

/** Asks once and returns the answer; a timeout is caught and reported as a value. */
@app.workflow({ name: 'AskWorkflow' })
export class AskWorkflow extends Workflow<Asked | { timedOut: true; isTimeoutError: boolean; timeoutType: string; message: string }> {
  @app.workflowRun
  async run(input: {
    prompt: string;
    description?: string;
    timeout?: string;
  }): Promise<WorkflowResult<Asked | { timedOut: true; isTimeoutError: boolean; timeoutType: string; message: string }>> {
    try {
      const answer = await requestHumanInput({
        prompt: input.prompt,
        ...(input.description === undefined ? {} : { description: input.description }),
        ...(input.timeout === undefined ? {} : { timeout: input.timeout }),
      });
      return new WorkflowResult({ value: asked(answer) });
    } catch (error) {
      if (!TimeoutError.is(error)) throw error;
      return new WorkflowResult({
        value: { timedOut: true, isTimeoutError: error instanceof TimeoutError, timeoutType: error.timeoutType, message: error.message },
      });
    }
  }
}

/** Asks two questions at once; a query tells which were answered so far, in the order they were. */
@app.workflow({ name: 'TwoQuestionsWorkflow' })
export class TwoQuestionsWorkflow extends Workflow<Record<string, string>> {
  private readonly answered: string[] = [];

  @app.workflowQuery
  answeredSoFar(): string[] {
    return [...this.answered];
  }

  @app.workflowRun
  async run(): Promise<WorkflowResult<Record<string, string>>> {
    const ask = async (requestId: string, prompt: string): Promise<string> => {
      const answer = await requestHumanInput({ prompt, requestId });
      this.answered.push(requestId);
      return answer.response;
    };
    const [colour, size] = await Promise.all([ask('colour', 'Which colour?'), ask('size', 'Which size?')]);
    return new WorkflowResult({ value: { colour, size, order: this.answered.join(',') } });
  }
}

/** Asks only once released by the `ready` signal, so an answer can arrive before the question. */
@app.workflow({ name: 'LateQuestionWorkflow' })
export class LateQuestionWorkflow extends Workflow<Asked> {
  private ready = false;

  @app.workflowSignal
  release(): void {
    this.ready = true;
  }

  @app.workflowQuery
  isReady(): boolean {
    return this.ready;
  }

  @app.workflowRun
  async run(): Promise<WorkflowResult<Asked>> {
    await this.condition(() => this.ready);
    return new WorkflowResult({ value: asked(await requestHumanInput('Asked late?')) });
  }
}
