/**
 * Checks a JSON value against the input schema codegen writes (`src/generated/schemas/*.input.json`):
 * the subset of JSON Schema it emits (type, const, enum, anyOf, items, prefixItems, properties,
 * required, additionalProperties). Problems name the path: `input.amount: expected a number, got "12"`.
 */
export type JsonSchema = {
  type?: string | string[];
  const?: unknown;
  enum?: unknown[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  items?: JsonSchema;
  prefixItems?: JsonSchema[];
  minItems?: number;
  maxItems?: number;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  format?: string;
};

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'object') return 'an object';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

function typeMatches(type: string, value: unknown): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'null':
      return value === null;
    case 'array':
      return Array.isArray(value);
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    default:
      return true;
  }
}

const article = (type: string): string => (/^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`);

/** The problems of `value` against `schema`, each `path: message`; empty when it matches. */
export function checkAgainstSchema(value: unknown, schema: JsonSchema, at = 'input'): string[] {
  if ('const' in schema && JSON.stringify(value) !== JSON.stringify(schema.const)) return [`${at}: expected ${JSON.stringify(schema.const)}, got ${describe(value)}`];
  if (schema.enum !== undefined && !schema.enum.some((option) => JSON.stringify(option) === JSON.stringify(value))) {
    return [`${at}: expected one of ${schema.enum.map((option) => JSON.stringify(option)).join(', ')}, got ${describe(value)}`];
  }
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives !== undefined) {
    const results = alternatives.map((alternative) => checkAgainstSchema(value, alternative, at));
    if (results.some((problems) => problems.length === 0)) return [];
    // The alternative of the value's own type explains best; else list what was expected.
    const closest = results.find((problems, index) => problems.length > 0 && !problems[0]?.startsWith(`${at}: expected`) && alternatives[index] !== undefined);
    if (closest !== undefined) return closest;
    return [`${at}: expected ${alternatives.map((alternative) => expectationOf(alternative)).join(' or ')}, got ${describe(value)}`];
  }
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? schema.type : [schema.type];
    if (!types.some((type) => typeMatches(type, value))) return [`${at}: expected ${types.map(article).join(' or ')}, got ${describe(value)}`];
  }
  const problems: string[] = [];
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems) problems.push(`${at}: expected at least ${schema.minItems} items, got ${value.length}`);
    if (schema.maxItems !== undefined && value.length > schema.maxItems) problems.push(`${at}: expected at most ${schema.maxItems} items, got ${value.length}`);
    value.forEach((item, index) => {
      const itemSchema = schema.prefixItems?.[index] ?? schema.items;
      if (itemSchema !== undefined) problems.push(...checkAgainstSchema(item, itemSchema, `${at}[${index}]`));
    });
  } else if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    for (const key of schema.required ?? []) {
      if (!(key in record)) problems.push(`${at}.${key}: required, missing`);
    }
    for (const [key, item] of Object.entries(record)) {
      const propertySchema = schema.properties?.[key];
      if (propertySchema !== undefined) problems.push(...checkAgainstSchema(item, propertySchema, `${at}.${key}`));
      else if (schema.additionalProperties === false) {
        problems.push(`${at}.${key}: unknown property (expected ${Object.keys(schema.properties ?? {}).join(', ') || 'none'})`);
      } else if (typeof schema.additionalProperties === 'object') problems.push(...checkAgainstSchema(item, schema.additionalProperties, `${at}.${key}`));
    }
  }
  return problems;
}

function expectationOf(schema: JsonSchema): string {
  if ('const' in schema) return JSON.stringify(schema.const);
  if (schema.type !== undefined) return (Array.isArray(schema.type) ? schema.type : [schema.type]).map(article).join(' or ');
  return 'a value of another shape';
}

/**
 * The file name of a workflow's input schema in codegen's `<outDir>/schemas/`, for readers such as
 * `mcp-agent run` and the agent server.
 *
 * @example
 * ```ts
 * inputSchemaFileName('orders.fulfil'); // 'orders.fulfil.input.json'
 * ```
 */
export function inputSchemaFileName(workflowName: string): string {
  return `${workflowName.replace(/[^\w.-]/g, '_')}.input.json`;
}
