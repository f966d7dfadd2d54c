/**
 * An app to serve over MCP: a support desk. `mcp-agent serve` offers each workflow as a tool
 * (`workflows-SupportAgentWorkflow-run`, ...) to Claude Desktop, the MCP Inspector or another
 * agent, next to the tools that follow, resume and cancel runs.
 *
 * - SupportAgentWorkflow: an agent with a model answers a customer's question, looking orders up
 *   with a function tool.
 * - RefundWorkflow: a refund waits for a person to approve it. On Temporal the run waits (for
 *   days if need be) until the client that started it answers, or `workflows-resume` does;
 *   in-process the client that started it is asked (MCP elicitation).
 */
import { Agent, MCPApp, requestHumanInput, Workflow, WorkflowApplicationError, WorkflowResult } from '@mcp-agent/core';
import { OpenAIAugmentedLLM } from '@mcp-agent/providers-openai';

export const app = new MCPApp({ name: 'agent-server' });

/** The shop's orders, as the support agent's function tool sees them. */
export const ORDERS: Readonly<Record<string, { item: string; status: string; total_eur: number }>> = {
  A1001: { item: 'espresso machine', status: 'shipped on Monday, arriving Thursday', total_eur: 249 },
  A1002: { item: 'coffee grinder', status: 'delayed: back in stock next week', total_eur: 89 },
  A1003: { item: 'milk frother', status: 'delivered', total_eur: 39 },
};

/** A customer's question. */
export interface SupportRequest {
  /** What the customer asks, such as "Where is my order A1001?". */
  question: string;
}

/** The support agent's answer. */
export interface SupportAnswer {
  answer: string;
  /** The orders the agent looked up. */
  orders_looked_up: string[];
}

@app.workflow
export class SupportAgentWorkflow extends Workflow<SupportAnswer> {
  @app.workflowRun
  async run(request: SupportRequest): Promise<WorkflowResult<SupportAnswer>> {
    if (typeof request?.question !== 'string' || request.question.trim() === '') {
      throw WorkflowApplicationError.nonRetryable(`SupportAgentWorkflow needs { question: some text }, got ${JSON.stringify(request)}`, 'InvalidInput');
    }
    const looked: string[] = [];
    const agent = new Agent({
      name: 'support',
      instruction: 'You are the support desk of a coffee equipment shop. Look orders up with lookup_order before you say anything about one, and answer in two sentences.',
      functions: [
        {
          name: 'lookup_order',
          description: 'The item, status and total of an order, by its id (such as A1001).',
          inputSchema: { type: 'object', properties: { order_id: { type: 'string' } }, required: ['order_id'] },
          // Runs as workflow code: a lookup in a fixed table, deterministic.
          run: ({ order_id }) => {
            const id = String(order_id).toUpperCase();
            looked.push(id);
            const order = ORDERS[id];
            return order === undefined ? `There is no order ${id}.` : JSON.stringify({ order_id: id, ...order });
          },
        },
      ],
    });
    const llm = await agent.attachLlm(OpenAIAugmentedLLM);
    const answer = await llm.generateStr(request.question);
    return new WorkflowResult({ value: { answer, orders_looked_up: looked } });
  }
}

/** A refund to approve. */
export interface RefundRequest {
  order_id: string;
  amount_eur: number;
  reason?: string;
}

/** What became of a refund. */
export interface RefundDecision {
  order_id: string;
  approved: boolean;
  /** The person's answer, as given. */
  answer: string;
}

@app.workflow
export class RefundWorkflow extends Workflow<RefundDecision> {
  @app.workflowRun
  async run(request: RefundRequest): Promise<WorkflowResult<RefundDecision>> {
    const { response } = await requestHumanInput({
      prompt: `Approve a refund of ${request.amount_eur} EUR for order ${request.order_id}? (yes or no)`,
      ...(request.reason === undefined ? {} : { description: `The customer says: ${request.reason}` }),
      timeout: '3 days',
    });
    const approved = /^\s*(y|yes|approve|approved|ok)\b/i.test(response);
    return new WorkflowResult({ value: { order_id: request.order_id, approved, answer: response } });
  }
}
