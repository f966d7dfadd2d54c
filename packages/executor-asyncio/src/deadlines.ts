/**
 * Attempt timeouts without a timer per attempt. Most task attempts carry a long timeout (minutes)
 * and finish in milliseconds; arming and clearing a `setTimeout` for each was a large share of
 * the engine's per-task cost. Long deadlines share one timer per 100 ms slice instead.
 */

/** A scheduled deadline; `cancel` forgets it. */
export interface Deadline {
  cancel(): void;
}

const SLICE_MS = 100;
/** Below this, a deadline gets a timer of its own, to stay precise. */
const SHARED_FROM_MS = 1_000;
/** setTimeout fires at once above 2^31 - 1 ms. */
const LONGEST_TIMEOUT = 2_147_483_647;

interface Slice {
  readonly callbacks: Set<() => void>;
  timer: ReturnType<typeof setTimeout> | undefined;
}

/**
 * Deadlines for task attempts. Their timers never keep the process alive by themselves: the
 * task's own work does that, and a deadline matters only while it runs.
 */
export class Deadlines {
  readonly #slices = new Map<number, Slice>();

  /** Calls `callback` once `milliseconds` have passed (at most 100 ms late for deadlines of a second or more). */
  schedule(milliseconds: number, callback: () => void): Deadline {
    if (milliseconds < SHARED_FROM_MS) {
      const timer = setTimeout(callback, milliseconds);
      timer.unref();
      return { cancel: () => clearTimeout(timer) };
    }
    const at = Math.ceil((Date.now() + milliseconds) / SLICE_MS) * SLICE_MS;
    let slice = this.#slices.get(at);
    if (slice === undefined) {
      const created: Slice = { callbacks: new Set(), timer: undefined };
      slice = created;
      this.#slices.set(at, created);
      const fire = (): void => {
        const remaining = at - Date.now();
        if (remaining > 0) {
          created.timer = setTimeout(fire, Math.min(remaining, LONGEST_TIMEOUT));
          created.timer.unref();
          return;
        }
        this.#slices.delete(at);
        for (const due of created.callbacks) due();
      };
      created.timer = setTimeout(fire, Math.min(at - Date.now(), LONGEST_TIMEOUT));
      created.timer.unref();
    }
    const owner = slice;
    owner.callbacks.add(callback);
    return {
      cancel: () => {
        owner.callbacks.delete(callback);
        if (owner.callbacks.size === 0 && this.#slices.get(at) === owner) {
          clearTimeout(owner.timer);
          this.#slices.delete(at);
        }
      },
    };
  }
}
