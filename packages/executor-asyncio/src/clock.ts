/**
 * Clocks for the in-process engine: the real one, and a virtual one that skips time the way
 * Temporal's time-skipping test server does.
 */

/** A timer started on a {@link Clock}. */
export interface ClockTimer {
  readonly at: number;
}

/** Time and timers as the engine sees them. */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  setTimer(milliseconds: number, callback: () => void): ClockTimer;
  clearTimer(timer: ClockTimer): void;
  /** Called while a caller awaits a workflow result: a virtual clock may skip time then. */
  enterSkipping(): void;
  exitSkipping(): void;
  /** Called around a task attempt: a virtual clock never skips time while real work runs. */
  beginWork(): void;
  endWork(): void;
  /** Registers a check that is false while the engine still has reactions to run; time moves only when all are true. */
  addIdleCheck(check: () => boolean): void;
}

// setTimeout fires at once for delays above 2^31 - 1 ms (about 24.8 days), so long sleeps are chained.
const LONGEST_TIMEOUT = 2_147_483_647;

interface RealTimer extends ClockTimer {
  handle: ReturnType<typeof setTimeout> | undefined;
}

/** The machine's clock and `setTimeout`. Sleeps of any length work, including ones over 24.8 days. */
export class RealClock implements Clock {
  now(): number {
    return Date.now();
  }

  setTimer(milliseconds: number, callback: () => void): ClockTimer {
    const timer: RealTimer = { at: Date.now() + milliseconds, handle: undefined };
    // Fires once `now()` has reached the moment. setTimeout keeps time on the monotonic clock and
    // can call back a millisecond before Date.now() gets there; then it waits the rest.
    const fire = (): void => {
      const remaining = timer.at - Date.now();
      if (remaining > 0) timer.handle = setTimeout(fire, Math.min(remaining, LONGEST_TIMEOUT));
      else callback();
    };
    timer.handle = setTimeout(fire, Math.min(Math.max(0, milliseconds), LONGEST_TIMEOUT));
    return timer;
  }

  clearTimer(timer: ClockTimer): void {
    clearTimeout((timer as RealTimer).handle);
  }

  enterSkipping(): void {}
  exitSkipping(): void {}
  beginWork(): void {}
  endWork(): void {}
  addIdleCheck(): void {}
}

interface VirtualTimer extends ClockTimer {
  readonly sequence: number;
  readonly callback: () => void;
  cleared: boolean;
}

function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * A clock that moves only when told to, or by itself while someone awaits a workflow result and
 * no task is running: it then jumps straight to the next timer. A 30-day sleep takes no real time.
 *
 * @example
 * ```ts
 * const clock = new VirtualClock();
 * const app = new MCPApp({ name: 'test', settings: {}, engines: { asyncio: createAsyncioEngine({ clock }) } });
 * ```
 */
export class VirtualClock implements Clock {
  #now: number;
  #sequence = 0;
  #timers: VirtualTimer[] = [];
  #skipping = 0;
  #busy = 0;
  #pumping = false;
  readonly #idleChecks: Array<() => boolean> = [];

  /** @param start the initial time, epoch milliseconds. Default: the real time now. */
  constructor(start: number = Date.now()) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimer(milliseconds: number, callback: () => void): ClockTimer {
    const timer: VirtualTimer = { at: this.#now + milliseconds, sequence: this.#sequence++, callback, cleared: false };
    let index = this.#timers.length;
    while (index > 0) {
      const previous = this.#timers[index - 1] as VirtualTimer;
      if (previous.at <= timer.at) break;
      index -= 1;
    }
    this.#timers.splice(index, 0, timer);
    this.#pump();
    return timer;
  }

  clearTimer(timer: ClockTimer): void {
    const virtual = timer as VirtualTimer;
    virtual.cleared = true;
    const index = this.#timers.indexOf(virtual);
    if (index >= 0) this.#timers.splice(index, 1);
  }

  addIdleCheck(check: () => boolean): void {
    this.#idleChecks.push(check);
  }

  /**
   * Waits until the event loop has run what is ready now (promise jobs, I/O callbacks,
   * immediates) and every engine says it has nothing left to react to.
   */
  async #settle(): Promise<void> {
    await nextTurn();
    await nextTurn();
    for (let turns = 0; turns < 10_000 && !this.#idleChecks.every((check) => check()); turns += 1) await nextTurn();
  }

  /** Timers not yet fired. */
  get pendingTimers(): number {
    return this.#timers.length;
  }

  /**
   * Moves time forward by `milliseconds`, firing each timer due on the way in order and letting
   * the workflows react to each before the next.
   */
  async advance(milliseconds: number): Promise<void> {
    const target = this.#now + milliseconds;
    await this.#settle();
    for (let next = this.#timers[0]; next !== undefined && next.at <= target; next = this.#timers[0]) {
      this.#fire(next);
      await this.#settle();
    }
    this.#now = Math.max(this.#now, target);
  }

  enterSkipping(): void {
    this.#skipping += 1;
    this.#pump();
  }

  exitSkipping(): void {
    this.#skipping -= 1;
  }

  beginWork(): void {
    this.#busy += 1;
  }

  endWork(): void {
    this.#busy -= 1;
    if (this.#busy === 0) this.#pump();
  }

  #fire(timer: VirtualTimer): void {
    this.#timers.shift();
    this.#now = Math.max(this.#now, timer.at);
    if (!timer.cleared) timer.callback();
  }

  #pump(): void {
    if (this.#pumping || this.#skipping === 0) return;
    this.#pumping = true;
    void (async () => {
      try {
        while (this.#skipping > 0) {
          await this.#settle();
          const next = this.#timers[0];
          if (this.#busy > 0 || next === undefined || this.#skipping === 0) break;
          this.#fire(next);
        }
      } finally {
        this.#pumping = false;
      }
    })();
  }
}
