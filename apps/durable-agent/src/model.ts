/**
 * The model. With an OpenAI key configured (openai.api_key in mcp_agent.secrets.yaml, or
 * OPENAI_API_KEY) the analyst asks OpenAI. Without one, a scripted analyst answers on a local
 * server that speaks the OpenAI wire protocol, so the real `openai` SDK, the agent and the engine
 * all run as they would against OpenAI; only the model is a stand-in. Node only.
 *
 * The script works from what it is sent, like a model would: it totals the CSV rows it finds in
 * the gather prompt, computes the changes from the figures in the analyse prompt, and writes the
 * report from the analysis in the report prompt.
 */
import { loadSettings } from '@mcp-agent/core/config';
import { startLocalLlmServer, type LlmReply, type LocalLlmServer, type RecordedLlmRequest } from '@mcp-agent/testing';

type Series = Map<string, Map<string, number>>;

/** Adds `value` to series[name][period]. */
function add(series: Series, name: string, period: string, value: number): void {
  const periods = series.get(name) ?? new Map<string, number>();
  periods.set(period, (periods.get(period) ?? 0) + value);
  series.set(name, periods);
}

const capitalised = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);

const line = (name: string, periods: Map<string, number>, source: string): string =>
  `${name} (${source}): ${[...periods].map(([period, value]) => `${period} ${value} EUR`).join(', ')}.`;

/** Step 1: the figures of every `period,region,amount` row, totalled, and the notes by region. */
function gather(prompt: string): string {
  const out: string[] = [];
  for (const section of prompt.split(/^--- /m).slice(1)) {
    const [file = '', ...rows] = section.split('\n');
    const byRegion: Series = new Map();
    const total: Series = new Map();
    for (const row of rows) {
      const match = /^(\w+),(\w+),(\d+)$/.exec(row.trim());
      if (match === null) continue;
      const [, period = '', region = '', amount = '0'] = match;
      add(byRegion, region, period, Number(amount));
      add(total, 'total', period, Number(amount));
    }
    for (const [name, periods] of [...total, ...byRegion]) out.push(line(name, periods, file));
    for (const row of rows) {
      const note = /^- (\w+): (.+)$/.exec(row.trim());
      if (note !== null) out.push(`note on ${note[1]} (${file}): ${note[2]}`);
    }
  }
  return out.length > 0 ? out.join('\n') : 'I found no figures in what you sent.';
}

/** Step 2: for each series, the change between its last two periods, with the note that explains it. */
function analyse(prompt: string): string {
  const notes = new Map([...prompt.matchAll(/^note on (\w+) \([^)]*\): (.+)$/gm)].map((match) => [match[1], match[2]]));
  const out: string[] = [];
  for (const match of prompt.matchAll(/^(\w+) \([^)]*\): (.+)\.$/gm)) {
    const [, name = '', figures = ''] = match;
    if (name === 'note') continue;
    const points = [...figures.matchAll(/(\w+) (\d+) EUR/g)].map((point) => ({ period: point[1], value: Number(point[2]) }));
    const [before, after] = points.slice(-2);
    if (before === undefined || after === undefined) continue;
    const change = ((after.value - before.value) / before.value) * 100;
    const why = notes.get(name);
    out.push(
      `${name} ${change < 0 ? 'fell' : 'rose'} ${Math.abs(change).toFixed(1)}% from ${before.period} to ${after.period} (${before.value} to ${after.value} EUR)${why === undefined ? '' : `: ${why}`}`,
    );
  }
  return out.length > 0 ? out.join('\n') : 'There is nothing to compare.';
}

/** Step 3: three sentences: the total, the regions that moved most, and what to do. */
function report(prompt: string): string {
  const changes = [...prompt.matchAll(/^(\w+) (fell|rose) ([\d.]+)% from (\w+) to (\w+) \((\d+) to (\d+) EUR\)(?:: (.+))?$/gm)].map((match) => ({
    name: match[1] ?? '',
    signed: (match[2] === 'fell' ? -1 : 1) * Number(match[3]),
    text: `${match[2]} ${match[3]}%`,
    period: match[5] ?? '',
    to: match[7] ?? '',
    why: match[8],
  }));
  const total = changes.find((change) => change.name === 'total');
  const regions = changes.filter((change) => change.name !== 'total').sort((a, b) => a.signed - b.signed);
  const worst = regions[0];
  const best = regions.at(-1);
  if (total === undefined || worst === undefined || best === undefined) return 'The analysis has no figures to report on.';
  const because = (change: typeof worst): string => (change.why === undefined ? '' : ` (${change.why.replace(/\.$/, '')})`);
  return [
    `Revenue ${total.text} in ${total.period}, to ${total.to} EUR.`,
    `${capitalised(worst.name)} ${worst.text}${because(worst)}, while ${best.name} ${best.text}${because(best)}.`,
    `The priority for next quarter is to win back revenue in ${worst.name}.`,
  ].join(' ');
}

/** What the scripted analyst says to a request, by the step its prompt names. */
export function scriptedReply(request: RecordedLlmRequest): LlmReply {
  const prompt = request.lastUserMessage ?? '';
  if (prompt.startsWith('Gather:')) return { text: gather(prompt) };
  if (prompt.startsWith('Analyse:')) return { text: analyse(prompt) };
  if (prompt.startsWith('Report:')) return { text: report(prompt) };
  return { text: 'I gather, analyse and report; ask me for one of those.' };
}

/** Starts the scripted analyst on a local OpenAI wire-protocol server. */
export function startScriptedModel(): Promise<LocalLlmServer> {
  return startLocalLlmServer({ script: { rules: [{ match: () => true, reply: scriptedReply }] } });
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
