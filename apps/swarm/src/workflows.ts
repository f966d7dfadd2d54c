/**
 * The Python project's swarm example (`examples/workflows/workflow_swarm`), in TypeScript: an
 * airline's customer service, where agents hand one conversation to each other (src/airline.ts),
 * running in-process or on Temporal unchanged.
 *
 * - AirlineSupportWorkflow: one customer's conversation, message after message; the swarm keeps
 *   the conversation, the agent that has it and the context variables from one to the next.
 * - TriageWorkflow: the Python example's test requests, each a new conversation: which agent
 *   each one reaches, and through which handoffs.
 *
 * The swarm's loop, the agents' instructions and their functions run as workflow code; on Temporal
 * each model round trip is an activity. The usage (tokens and cost per agent) is readable during
 * the run by the query `usage`, and is returned in the result's metadata.
 */
import { MCPApp, usageNode, Workflow, WorkflowApplicationError, WorkflowResult, type UsageNode } from '@mcp-agent/core';
import { createSwarm, type ContextVariables, type Swarm, type SwarmHandoff, type SwarmStopReason } from '@mcp-agent/patterns';
import { createAirlineAgents, type Customer, type Flight, initialContext } from './airline.js';

export const app = new MCPApp({ name: 'swarm' });

/** One customer's conversation: their messages, in order, and optionally who they are and their flight. */
export interface SupportConversation {
  messages: string[];
  /** Default: the Python example's customer, John Doe. */
  customer?: Customer;
  /** Default: the Python example's flight 1919 from LGA to LAX. */
  flight?: Flight;
}

/** A customer's message and the answer it got. */
export interface SupportTurn {
  customer: string;
  /** The agent that answered. */
  agent: string;
  reply: string;
  /** `end_turn` when the agent answered, `done` when it closed the case, `max_turns` when the swarm gave up. */
  stopReason: SwarmStopReason;
}

/** How a conversation went. */
export interface SupportOutcome {
  turns: SupportTurn[];
  /** Every handoff, in order; a handoff to `__done__` is a case closed. */
  handoffs: SwarmHandoff[];
  /** Whether the last message ended with the case closed. */
  resolved: boolean;
  /** What the agents did (refunds, searches, changes), from the context variables. */
  actions: string[];
  /** The flight as it is at the end (a change updates it). */
  flight: Flight;
}

/** What the `conversation` query shows while a conversation runs. */
export interface ConversationProgress {
  activeAgent: string | null;
  turns: SupportTurn[];
  contextVariables: ContextVariables;
}

/** Where one of the triage requests ended up. */
export interface TriageOutcome {
  request: string;
  /** The agent that answered. */
  agent: string;
  /** The agents the request went through, from triage to the one that answered. */
  route: string[];
  reply: string;
}

function checkMessages(messages: unknown, label: string): string[] {
  if (!Array.isArray(messages) || messages.length === 0 || messages.some((message) => typeof message !== 'string' || message.trim() === '')) {
    throw new WorkflowApplicationError(`${label} must be a non-empty list of non-empty strings, got ${JSON.stringify(messages)?.slice(0, 80)}`, {
      type: 'InvalidInput',
      nonRetryable: true,
    });
  }
  return messages as string[];
}

/** The agent that wrote a swarm's last answer: the active one, or the one that closed the case. */
function answeringAgent(swarm: Swarm, handoffsBefore: number): string {
  if (swarm.stopReason !== 'done') return swarm.activeAgent.name;
  return swarm.handoffs.slice(handoffsBefore).at(-1)?.from ?? swarm.startingAgent.name;
}

@app.workflow
export class AirlineSupportWorkflow extends Workflow<SupportOutcome> {
  #swarm: Swarm | undefined;
  readonly #turns: SupportTurn[] = [];

  @app.workflowQuery
  usage(): UsageNode | null {
    return this.#swarm === undefined ? null : this.#swarm.usageTree();
  }

  /** The conversation so far: the agent that has it, the answers, the context variables. */
  @app.workflowQuery
  conversation(): ConversationProgress {
    return { activeAgent: this.#swarm?.activeAgent.name ?? null, turns: [...this.#turns], contextVariables: this.#swarm?.contextVariables ?? {} };
  }

  @app.workflowRun
  async run(input: SupportConversation): Promise<WorkflowResult<SupportOutcome>> {
    const messages = checkMessages(input?.messages, 'messages');
    const { triage } = createAirlineAgents();
    const swarm = createSwarm({ agent: triage, contextVariables: initialContext(input.customer, input.flight), name: 'airline_service' });
    this.#swarm = swarm;
    for (const message of messages) {
      const handoffsBefore = swarm.handoffs.length;
      const reply = await swarm.generateStr(message);
      this.#turns.push({ customer: message, agent: answeringAgent(swarm, handoffsBefore), reply, stopReason: swarm.stopReason ?? 'end_turn' });
    }
    const variables = swarm.contextVariables;
    const outcome: SupportOutcome = {
      turns: [...this.#turns],
      handoffs: swarm.handoffs,
      resolved: swarm.stopReason === 'done',
      actions: (variables['actions'] as string[] | undefined) ?? [],
      flight: variables['flight'] as Flight,
    };
    return new WorkflowResult({ value: outcome, metadata: { usage: this.usage() } });
  }
}

@app.workflow
export class TriageWorkflow extends Workflow<TriageOutcome[]> {
  readonly #swarms: Swarm[] = [];

  /** One node per request's swarm. */
  @app.workflowQuery
  usage(): UsageNode | null {
    return this.#swarms.length === 0 ? null : usageNode('triage_requests', 'swarms', this.#swarms);
  }

  @app.workflowRun
  async run(requests: string[]): Promise<WorkflowResult<TriageOutcome[]>> {
    checkMessages(requests, 'requests');
    const { triage } = createAirlineAgents();
    const outcomes: TriageOutcome[] = [];
    for (const [index, request] of requests.entries()) {
      // Each request is a new conversation, starting with triage, as the Python example resets it.
      const swarm = createSwarm({ agent: triage, contextVariables: initialContext(), name: `request_${index + 1}` });
      this.#swarms.push(swarm);
      const reply = await swarm.generateStr(request);
      const route = [triage.name, ...swarm.handoffs.map((handoff) => handoff.to)];
      outcomes.push({ request, agent: answeringAgent(swarm, 0), route, reply });
    }
    return new WorkflowResult({ value: outcomes, metadata: { usage: this.usage() } });
  }
}
