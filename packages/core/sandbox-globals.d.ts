// The globals Temporal's workflow sandbox provides besides ECMAScript's, for type-checking
// src/sandbox/ without Node's types (tsconfig.sandbox.json): timers (deterministic there),
// AbortController and URL. Anything else of Node or the DOM (process, Buffer, fetch, require...)
// is undefined in the sandbox, and so is a compile error here.
declare function setTimeout(handler: () => void, milliseconds?: number): unknown;
declare function clearTimeout(handle: unknown): void;

interface AbortSignal {
  readonly aborted: boolean;
  readonly reason: unknown;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
  throwIfAborted(): void;
}
declare var AbortSignal: { prototype: AbortSignal; abort(reason?: unknown): AbortSignal };

interface AbortController {
  readonly signal: AbortSignal;
  abort(reason?: unknown): void;
}
declare var AbortController: { prototype: AbortController; new (): AbortController };

interface URL {
  readonly protocol: string;
  readonly host: string;
  readonly pathname: string;
  readonly href: string;
}
declare var URL: { prototype: URL; new (url: string, base?: string): URL; canParse(url: string, base?: string): boolean };
