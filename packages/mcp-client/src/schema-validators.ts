// Validators of the JSON Schemas MCP servers send (a tool's `outputSchema`, an elicitation's
// `requestedSchema`), compiled once per schema for the process. The SDK's client compiles a
// validator for every tool with an output schema each time it lists tools, and Ajv keeps each
// compiled schema for as long as it lives: a worker listing a server's tools for every workflow
// would spend milliseconds on each listing and hold more memory after each one.
import type { JsonSchemaType, JsonSchemaValidator, jsonSchemaValidator } from '@modelcontextprotocol/sdk/validation';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';

/** How many distinct schemas are kept compiled before the cache (and the Ajv instance behind it) starts again. */
export const MAX_CACHED_SCHEMAS = 1_000;

/**
 * A `jsonSchemaValidator` for the SDK's `Client` that compiles each distinct schema (by its JSON
 * text) once, with the SDK's own Ajv settings. Bounded: past {@link MAX_CACHED_SCHEMAS} distinct
 * schemas it drops them all and starts a new Ajv instance, so a server that sends ever-new schemas
 * can't grow it without end.
 */
export class CachedSchemaValidators implements jsonSchemaValidator {
  #ajv = new AjvJsonSchemaValidator();
  readonly #compiled = new Map<string, JsonSchemaValidator<unknown>>();
  readonly #limit: number;
  /** How many schemas were compiled (for tests and diagnostics). */
  compilations = 0;

  constructor(limit = MAX_CACHED_SCHEMAS) {
    this.#limit = limit;
  }

  getValidator<T>(schema: JsonSchemaType): JsonSchemaValidator<T> {
    const key = JSON.stringify(schema);
    let validator = this.#compiled.get(key);
    if (validator === undefined) {
      if (this.#compiled.size >= this.#limit) {
        this.#compiled.clear();
        this.#ajv = new AjvJsonSchemaValidator();
      }
      validator = this.#ajv.getValidator<unknown>(schema);
      this.compilations += 1;
      this.#compiled.set(key, validator);
    }
    return validator as JsonSchemaValidator<T>;
  }

  /** How many compiled schemas are held now. */
  get size(): number {
    return this.#compiled.size;
  }
}

/** The validators every MCP client session of this process shares. */
export const schemaValidators = new CachedSchemaValidators();
