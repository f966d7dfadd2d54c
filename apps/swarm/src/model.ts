/**
 * The model. With an OpenAI key configured (openai.api_key in mcp_agent.secrets.yaml, or
 * OPENAI_API_KEY) the agents ask OpenAI. Without one, a scripted model answers on a local server
 * that speaks the OpenAI wire protocol, so the real `openai` SDK, the swarm and the engine run as
 * they would against OpenAI; only the model is a stand-in. Node only.
 *
 * The scripted model answers each agent by its instruction (the request's system prompt), as
 * that agent would: triage and flight_modification transfer by the topic of the customer's last
 * message; the policy agents call the policy's functions in order and read the customer's name,
 * address and flight from the context their instruction shows.
 */
import { loadSettings } from '@mcp-agent/core/config';
// The openai section (its key, base URL and model) belongs to the provider, which registers it.
import '@mcp-agent/providers-openai/config';
import { startLocalLlmServer, type LlmReply, type LocalLlmServer, type RecordedLlmRequest } from '@mcp-agent/testing';

interface WireMessage {
  role: string;
  content?: unknown;
  tool_call_id?: string;
  tool_calls?: Array<{ id: string; function: { name: string; arguments: string } }>;
}

const textOf = (content: unknown): string =>
  typeof content === 'string'
    ? content
    : Array.isArray(content)
      ? content.map((part) => (typeof part === 'object' && part !== null && 'text' in part ? String((part as { text: unknown }).text) : '')).join('\n')
      : '';

/** What a request holds, as the script reads it. */
function read(request: RecordedLlmRequest) {
  const messages = (request.body.messages ?? []) as WireMessage[];
  const system = textOf(messages.find((message) => message.role === 'system')?.content);
  const last = messages.at(-1);
  // The function whose result the model reads now, when the last message is a tool's result.
  const toolCalls = messages.flatMap((message) => message.tool_calls ?? []);
  const tool = last?.role === 'tool' ? toolCalls.find((call) => call.id === last.tool_call_id)?.function.name : undefined;
  return { system, user: request.lastUserMessage ?? '', tool, toolResult: last?.role === 'tool' ? textOf(last.content) : '', position: messages.length };
}

/** The customer and the flight, as the agent's instruction shows them (src/airline.ts). */
function contextOf(system: string) {
  const field = (name: string): string => new RegExp(`^${name}: (.+)$`, 'm').exec(system)?.[1] ?? '';
  const flight = /^Flight (\S+) from (.+) to (.+), departing (.+)\.$/m.exec(system);
  return {
    firstName: field('Name').split(' ')[0] ?? '',
    email: field('Email'),
    status: field('Status'),
    address: field('Address'),
    flight: { number: flight?.[1] ?? '', from: flight?.[2] ?? '', to: flight?.[3] ?? '', departure: flight?.[4] ?? '' },
  };
}

/** The same departure one day earlier: `3pm ET, 5/21/2024` -> `3pm ET, 5/20/2024`. */
export function dayEarlier(departure: string): string {
  return departure.replace(/(\d{1,2})\/(\d{1,2})\/(\d{4})/, (_whole, month: string, day: string, year: string) => {
    const date = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day) - 1));
    return `${date.getUTCMonth() + 1}/${date.getUTCDate()}/${date.getUTCFullYear()}`;
  });
}

const BAGGAGE = /\b(bag|bags|baggage|luggage|suitcase)\b/i;
const CANCEL = /\bcancel/i;
const CHANGE = /\b(change|earlier|later|reschedule|rebook)\b/i;
const UNWANTED = /\bdon'?t want\b/i;
const SUPERVISOR = /\b(supervisor|manager|human|real person)\b/i;
const FINISHED = /^\s*(no|nope)\b|that'?s (all|everything)|nothing else/i;
const AGREED = /^\s*(yes|yeah|sure|please do|go ahead|ok)\b/i;

type Call = (name: string, args?: Record<string, unknown>, text?: string) => LlmReply;

/**
 * Makes the tool calls of an answer at `position` in the conversation. The call's id is that
 * position, so the same conversation gets the same ids (and the same token counts) however many
 * requests the server answered before.
 */
const callsAt =
  (position: number): Call =>
  (name, args = {}, text) => ({ ...(text === undefined ? {} : { text }), toolCalls: [{ id: `call_${position}`, name, arguments: args }] });
const ANYTHING_ELSE = 'Is there anything else I can help you with?';

/** A policy agent's answer to the customer's wish to stop, to escalate, or to talk about something else. */
function commonAnswer(call: Call, user: string, firstName: string, otherTopic: boolean): LlmReply | undefined {
  if (SUPERVISOR.test(user)) return call('escalate_to_agent', { reason: 'The customer asked for a supervisor.' });
  if (otherTopic) return call('transfer_to_triage');
  if (FINISHED.test(user)) return call('case_resolved', {}, `Thank you for flying with Flight Airlines, ${firstName}. Have a great day!`);
  return undefined;
}

/** The scripted answer to one request. */
export function scriptedReply(request: RecordedLlmRequest): LlmReply {
  const { system, user, tool, toolResult, position } = read(request);
  const call = callsAt(position);
  const { firstName, email, status, address, flight } = contextOf(system);
  const transferred = tool?.startsWith('transfer_to_') === true;
  if (tool === 'escalate_to_agent') return { text: `I have passed your case to a supervisor, who will contact you at ${email} shortly. ${ANYTHING_ELSE}` };

  if (system.startsWith('You are the first point of contact')) {
    if (BAGGAGE.test(user)) return call('transfer_to_lost_baggage');
    if (CANCEL.test(user) || CHANGE.test(user) || UNWANTED.test(user)) return call('transfer_to_flight_modification');
    const sorry = /\bflight\b/i.test(user) ? "I'm sorry your flight was unpleasant. " : '';
    return { text: `${sorry}I can help with changing or cancelling a flight, and with lost baggage. Which of these is your question about?` };
  }

  if (system.startsWith('You are the flight modification agent')) {
    if (CANCEL.test(user)) return call('transfer_to_flight_cancel');
    if (CHANGE.test(user)) return call('transfer_to_flight_change');
    return { text: 'Would you like to cancel your flight, or move it to another departure?' };
  }

  if (system.includes('## Flight cancellation policy')) {
    if (transferred) {
      return {
        text: `I'm sorry you can't make your trip, ${firstName}. To confirm: you'd like to cancel flight ${flight.number} from ${flight.from} to ${flight.to}, departing ${flight.departure}. Would you prefer a refund or flight credits?`,
      };
    }
    if (tool === 'initiate_refund') return { text: `Your refund has been initiated and will be processed within 3-5 business days. ${ANYTHING_ELSE}` };
    if (tool === 'initiate_flight_credits') return { text: `Your flight credits will be in your account within the next 15 minutes. ${ANYTHING_ELSE}` };
    if (/\brefund\b/i.test(user)) return call('initiate_refund');
    if (/\bcredit/i.test(user)) return call('initiate_flight_credits');
    return commonAnswer(call, user, firstName, BAGGAGE.test(user)) ?? { text: 'Would you prefer a refund or flight credits?' };
  }

  if (system.includes('## Flight change policy')) {
    const earlier = dayEarlier(flight.departure);
    if (transferred) return call('valid_to_change_flight');
    if (tool === 'valid_to_change_flight') {
      return {
        text: `Good news, ${firstName}: your flight can be changed. Flight ${flight.number} one day earlier departs ${earlier} and has seats available; as a ${status} member you pay no fare difference. Shall I move your booking to it?`,
      };
    }
    if (tool === 'change_flight') return { text: `Done: flight ${flight.number} now departs ${flight.departure}. ${ANYTHING_ELSE}` };
    if (AGREED.test(user)) return call('change_flight', { departure: earlier });
    return commonAnswer(call, user, firstName, CANCEL.test(user) || BAGGAGE.test(user)) ?? { text: `Shall I move your booking to flight ${flight.number} departing ${earlier}?` };
  }

  if (system.includes('## Lost baggage policy')) {
    if (transferred) return call('initiate_baggage_search');
    if (tool === 'initiate_baggage_search') {
      return /not found/i.test(toolResult)
        ? call('escalate_to_agent', { reason: 'The bag was not found.' })
        : { text: `Good news, ${firstName}: we found your bag. We will deliver it to ${address} within 24 hours. ${ANYTHING_ELSE}` };
    }
    return commonAnswer(call, user, firstName, !BAGGAGE.test(user) && (CANCEL.test(user) || CHANGE.test(user))) ?? { text: ANYTHING_ELSE };
  }

  return { text: `I have no scripted answer for this request (system prompt: ${system.slice(0, 60)}).` };
}

/** Starts the scripted model on a local OpenAI wire-protocol server. */
export function startScriptedModel(delayMilliseconds = 0): Promise<LocalLlmServer> {
  return startLocalLlmServer({ script: { rules: [{ match: () => true, reply: (request) => ({ ...scriptedReply(request), delayMilliseconds }) }] } });
}

/**
 * When no OpenAI key is configured, starts the scripted model and points the SDK at it
 * (OPENAI_API_KEY, OPENAI_BASE_URL). Returns the server, if started, and a line saying which
 * model answers. Call it before the app initializes.
 */
export async function useLocalModelUnlessConfigured(): Promise<{ server: LocalLlmServer | undefined; description: string }> {
  const key = loadSettings().settings.openai?.api_key;
  if (key !== undefined && key !== '') return { server: undefined, description: 'model: OpenAI (an API key is configured), gpt-4o-mini from mcp_agent.config.yaml' };
  const server = await startScriptedModel();
  process.env.OPENAI_API_KEY = 'local-scripted-model';
  process.env.OPENAI_BASE_URL = server.openaiBaseUrl;
  return {
    server,
    description: `model: no OpenAI key is configured (openai.api_key or OPENAI_API_KEY), so a scripted model answers on a local OpenAI wire-protocol server (${server.openaiBaseUrl})`,
  };
}
