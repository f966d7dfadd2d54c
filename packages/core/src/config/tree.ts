/**
 * Helpers for the plain-object trees that YAML files, environment variables and overrides turn
 * into before validation: merging, cleaning, and remembering where each value came from.
 *
 * Internal to the config module.
 */

/**
 * A mapping read from YAML or given in code.
 *
 * @example
 * ```ts
 * const tree: SettingsTree = { temporal: { port: 7233 } };
 * ```
 */
export type SettingsTree = Record<string, unknown>;

/**
 * True for a plain object (`{}` literal, `Object.create(null)`, YAML mapping), false for arrays,
 * dates and class instances.
 *
 * @example
 * ```ts
 * isPlainObject({ a: 1 }); // true
 * isPlainObject([1]);      // false
 * ```
 */
export function isPlainObject(value: unknown): value is SettingsTree {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/**
 * Reads an own property only, so keys like `constructor` never resolve to inherited members.
 *
 * @example
 * ```ts
 * getOwn({}, 'constructor'); // undefined
 * ```
 */
export function getOwn(tree: SettingsTree, key: string): unknown {
  return Object.hasOwn(tree, key) ? tree[key] : undefined;
}

/**
 * Sets an own, enumerable property; safe for keys such as `__proto__`.
 *
 * @example
 * ```ts
 * setOwn(tree, 'api_key', 'sk-123');
 * ```
 */
export function setOwn(tree: SettingsTree, key: string, value: unknown): void {
  Object.defineProperty(tree, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * Deep-merges `overlay` over `base` into a new tree: mappings merge key by key, while arrays and
 * scalars from `overlay` replace. `undefined` in `overlay` leaves the base value alone; `null`
 * replaces it (and is later dropped, which clears the key).
 *
 * @example
 * ```ts
 * mergeTrees({ a: { b: 1, c: [1] } }, { a: { c: [2] } }); // { a: { b: 1, c: [2] } }
 * ```
 */
export function mergeTrees(base: unknown, overlay: unknown): unknown {
  if (overlay === undefined) return base;
  if (!isPlainObject(base) || !isPlainObject(overlay)) return overlay;
  const merged: SettingsTree = {};
  for (const [key, value] of Object.entries(base)) setOwn(merged, key, value);
  for (const [key, value] of Object.entries(overlay)) {
    if (value === undefined) continue;
    setOwn(merged, key, mergeTrees(getOwn(merged, key), value));
  }
  return merged;
}

/**
 * Copies a tree without `null`/`undefined` mapping values (YAML `key:` with nothing after it means
 * "not set") and without `__proto__` keys. List items are kept as they are, nulls included, so
 * validation reports them.
 *
 * @example
 * ```ts
 * dropUnsetValues({ temporal: null, args: [null] }); // { args: [null] }
 * ```
 */
export function dropUnsetValues(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dropUnsetValues);
  if (!isPlainObject(value)) return value;
  const copy: SettingsTree = {};
  for (const [key, child] of Object.entries(value)) {
    if (child === null || child === undefined || key === '__proto__') continue;
    setOwn(copy, key, dropUnsetValues(child));
  }
  return copy;
}

/**
 * Remembers which layer (secrets file, environment variable, overrides) last set each value, so
 * an error can say where a bad value came from. Values of the main config file carry no label.
 *
 * @example
 * ```ts
 * const origins = new ValueOrigins();
 * origins.recordTree(['temporal', 'port'], 'abc', 'environment variable TEMPORAL__PORT');
 * origins.originOf(['temporal', 'port']); // 'environment variable TEMPORAL__PORT'
 * ```
 */
export class ValueOrigins {
  readonly #labels = new Map<string, string>();

  /** Records `label` for `path` and for every value beneath it in `value`. */
  recordTree(path: readonly string[], value: unknown, label: string): void {
    if (isPlainObject(value) && Object.keys(value).length > 0) {
      for (const [key, child] of Object.entries(value)) this.recordTree([...path, key], child, label);
      return;
    }
    this.#labels.set(JSON.stringify(path), label);
  }

  /** The label of the first recorded path inside `path` (for a mapping, where its values came from), if any. */
  originWithin(path: readonly PropertyKey[]): string | undefined {
    const prefix = JSON.stringify(path.map(String)).slice(0, -1);
    for (const [recorded, label] of this.#labels) if (recorded.startsWith(prefix) && (recorded.length === prefix.length + 1 || recorded[prefix.length] === ',')) return label;
    return undefined;
  }

  /** The label of the deepest recorded path that contains `path`, if any. */
  originOf(path: readonly PropertyKey[]): string | undefined {
    const keys = path.map(String);
    for (let length = keys.length; length >= 0; length--) {
      const label = this.#labels.get(JSON.stringify(keys.slice(0, length)));
      if (label !== undefined) return label;
    }
    return undefined;
  }
}
