/**
 * Elicitation (`elicitation/create`): what every answer goes through before it is sent (the
 * requested schema's defaults filled in, then validation against that schema), and the console
 * handler of `mcp.elicitation.mode: console`.
 */
import { createInterface } from 'node:readline/promises';
import type { Readable, Writable } from 'node:stream';

import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import { ErrorCode } from '@modelcontextprotocol/sdk/types.js';
import type { ElicitRequest, ElicitRequestFormParams, ElicitResult } from '@modelcontextprotocol/sdk/types.js';

import { clientRequestError } from './client-request-error.js';
import type { ElicitationHandler } from './client-requests.js';

/** A requested field's schema (a primitive, an enum, or a multi-select array). */
type FieldSchema = ElicitRequestFormParams['requestedSchema']['properties'][string] & Record<string, unknown>;

const validator = new AjvJsonSchemaValidator();

/**
 * Fills in the requested schema's `default` of every field an accepted answer leaves out (the
 * client side of SEP-1034), then checks the answer against the schema. Declines and cancels pass
 * unchanged; a URL-mode accept carries no content.
 *
 * @throws McpError `InvalidParams` naming the server and what does not match, when the answer
 *   does not satisfy the requested schema.
 */
export function completeElicitationAnswer(server: string, params: ElicitRequest['params'], answer: ElicitResult): ElicitResult {
  if (answer.action !== 'accept' || params.mode === 'url') return answer.action === 'accept' ? { action: 'accept' } : answer;
  const schema = (params as ElicitRequestFormParams).requestedSchema;
  const content: Record<string, unknown> = { ...(answer.content ?? {}) };
  for (const [name, field] of Object.entries(schema.properties ?? {})) {
    if (content[name] === undefined && field !== null && typeof field === 'object' && 'default' in field && field.default !== undefined) {
      content[name] = structuredClone(field.default);
    }
  }
  const check = validator.getValidator(schema as Parameters<AjvJsonSchemaValidator['getValidator']>[0])(content);
  if (!check.valid) {
    throw clientRequestError(
      ErrorCode.InvalidParams,
      `the elicitation answer for MCP server "${server}" does not match the requested schema: ${check.errorMessage.replaceAll('data/', '')} ` +
        `(answer: ${JSON.stringify(content).slice(0, 300)}); fix the app's elicitation handler, or answer "decline"`,
    );
  }
  return { ...answer, content: content as NonNullable<ElicitResult['content']> };
}

/**
 * Options of {@link createConsoleElicitationHandler}; the defaults are the process's terminal.
 *
 * @example
 * ```ts
 * const options: ConsoleElicitationOptions = { input: process.stdin, output: process.stderr };
 * ```
 */
export interface ConsoleElicitationOptions {
  /** Where answers are read. Default `process.stdin`; it must be a terminal (`isTTY`). */
  input?: Readable & { isTTY?: boolean };
  /** Where questions are written. Default `process.stdout`. */
  output?: Writable;
}

/**
 * The console elicitation handler (`mcp.elicitation.mode: console`): prints the server's message,
 * asks whether to answer (`y` answers, `n` declines, `c` cancels), then, in form mode, asks field
 * by field, showing each field's title, description, choices and default (an empty line takes the
 * default or skips an optional field; a value that does not fit the field is asked again). In URL
 * mode it shows the URL and asks whether the person opened it (`y` accepts, `n` declines, `c`
 * cancels); it never opens the URL itself. When the input is not a terminal (a service, CI) it
 * refuses at once instead of waiting for input that will never come.
 *
 * @example
 * ```ts
 * const manager = createMcpConnectionManager({ servers, elicitation: createConsoleElicitationHandler() });
 * ```
 */
export function createConsoleElicitationHandler(options: ConsoleElicitationOptions = {}): ElicitationHandler {
  return async (params, context) => {
    const input = options.input ?? process.stdin;
    const output = options.output ?? process.stdout;
    if ((input as { isTTY?: boolean }).isTTY !== true) {
      throw clientRequestError(
        ErrorCode.InternalError,
        `MCP server "${context.server}" asked for input ("${params.message}"), and standard input is not a terminal, so the console can't answer; ` +
          'pass an elicitation handler (new MCPApp({ mcpClient: { elicitation } })) or set mcp.elicitation.mode: decline',
      );
    }
    const lines = createInterface({ input, output, terminal: false });
    const abort = (): void => lines.close();
    context.signal.addEventListener('abort', abort, { once: true });
    try {
      const ask = async (question: string): Promise<string> => (await lines.question(question, { signal: context.signal })).trim();
      if (params.mode === 'url') {
        output.write(`\n[MCP server "${context.server}"] ${params.message}\nOpen this URL in your browser:\n  ${params.url}\n`);
        const choice = await askChoice(ask, 'Did you open it and finish there? [y]es (accept) / [n]o (decline) / [c]ancel: ');
        return { action: choice };
      }
      const form = params as ElicitRequestFormParams;
      output.write(`\n[MCP server "${context.server}"] ${form.message}\n`);
      const choice = await askChoice(ask, 'Answer? [y]es / [n]o (decline) / [c]ancel: ');
      if (choice !== 'accept') return { action: choice };
      const required = new Set(form.requestedSchema.required ?? []);
      const content: Record<string, unknown> = {};
      for (const [name, field] of Object.entries(form.requestedSchema.properties)) {
        const value = await askField(ask, output, name, field as FieldSchema, required.has(name));
        if (value !== undefined) content[name] = value;
      }
      return { action: 'accept', content: content as NonNullable<ElicitResult['content']> };
    } finally {
      context.signal.removeEventListener('abort', abort);
      lines.close();
    }
  };
}

async function askChoice(ask: (question: string) => Promise<string>, question: string): Promise<'accept' | 'decline' | 'cancel'> {
  for (;;) {
    const answer = (await ask(question)).toLowerCase();
    if (answer === 'y' || answer === 'yes') return 'accept';
    if (answer === 'n' || answer === 'no') return 'decline';
    if (answer === 'c' || answer === 'cancel') return 'cancel';
  }
}

/** The choices of an enum field, as `[value, label]`, or undefined for other fields. */
function choicesOf(field: FieldSchema): [string, string][] | undefined {
  const titled = (field['oneOf'] ?? field['anyOf']) as { const: string; title?: string }[] | undefined;
  if (Array.isArray(titled)) return titled.map((option) => [option.const, option.title ?? option.const]);
  const values = field['enum'] as string[] | undefined;
  if (Array.isArray(values)) {
    const names = field['enumNames'] as string[] | undefined;
    return values.map((value, index) => [value, names?.[index] ?? value]);
  }
  if (field.type === 'array') return choicesOf(((field as { items?: unknown }).items ?? {}) as FieldSchema);
  return undefined;
}

/** Asks for one field until the answer fits it; undefined leaves it out (an empty line). */
async function askField(ask: (question: string) => Promise<string>, output: Writable, name: string, field: FieldSchema, required: boolean): Promise<unknown> {
  const title = typeof field['title'] === 'string' ? `${field['title']} (${name})` : name;
  const description = typeof field['description'] === 'string' ? ` - ${field['description']}` : '';
  const choices = choicesOf(field);
  output.write(`\n${title}${description}${required ? ' [required]' : ''}\n`);
  if (choices !== undefined) choices.forEach(([value, label], index) => output.write(`  ${index + 1}. ${label}${label === value ? '' : ` (${value})`}\n`));
  const hasDefault = field['default'] !== undefined;
  const hint = field.type === 'array' ? 'numbers or values, comma-separated' : choices !== undefined ? 'a number or a value' : field.type === 'boolean' ? 'y/n' : String(field.type);
  for (;;) {
    const answer = await ask(`${hint}${hasDefault ? `, empty for ${JSON.stringify(field['default'])}` : required ? '' : ', empty to skip'}: `);
    if (answer === '') {
      if (hasDefault || !required) return undefined;
      output.write('  this field is required\n');
      continue;
    }
    const value = parseField(answer, field, choices);
    if (value !== undefined) return value;
    output.write(`  "${answer}" is not ${hint === String(field.type) ? `a ${hint}` : `one of the choices`}; try again\n`);
  }
}

function parseField(answer: string, field: FieldSchema, choices: [string, string][] | undefined): unknown {
  const pick = (text: string): string | undefined => {
    if (choices === undefined) return undefined;
    const index = Number(text);
    if (Number.isInteger(index) && index >= 1 && index <= choices.length) return choices[index - 1]?.[0];
    return choices.find(([value, label]) => value === text || label.toLowerCase() === text.toLowerCase())?.[0];
  };
  if (field.type === 'array') {
    const picked = answer.split(',').map((part) => pick(part.trim()));
    return picked.every((value) => value !== undefined) ? picked : undefined;
  }
  if (choices !== undefined) return pick(answer);
  switch (field.type) {
    case 'boolean':
      return /^(y|yes|true)$/i.test(answer) ? true : /^(n|no|false)$/i.test(answer) ? false : undefined;
    case 'integer':
      return /^-?\d+$/.test(answer) ? Number(answer) : undefined;
    case 'number':
      return Number.isFinite(Number(answer)) ? Number(answer) : undefined;
    default:
      return answer;
  }
}
