/**
 * Bounded waits on promises that this package does not own (a connect shared by several calls, an
 * SDK `connect` that may never settle). Internal to this package.
 */

/** Why {@link waitFor} stopped waiting before the promise settled. */
export class WaitInterruptedError extends Error {
  /** `timeout`: the time was up; `signal`: the signal aborted. */
  readonly by: 'timeout' | 'signal';
  constructor(by: 'timeout' | 'signal') {
    super(by === 'timeout' ? 'the wait timed out' : 'the wait was aborted');
    this.by = by;
  }
}

/** Limits of {@link waitFor}; an unset limit does not apply. */
export interface WaitLimits {
  milliseconds?: number | undefined;
  signal?: AbortSignal | undefined;
}

/**
 * Settles as `promise` does, or rejects with a {@link WaitInterruptedError} once `milliseconds`
 * have passed or `signal` aborts, whichever comes first. The promise itself goes on (its
 * rejection is handled here); the timer and the signal listener are removed either way, so a
 * long-lived signal collects no listeners.
 */
export function waitFor<T>(promise: Promise<T>, limits: WaitLimits): Promise<T> {
  const { milliseconds, signal } = limits;
  if (signal?.aborted === true) {
    promise.catch(() => undefined);
    return Promise.reject(new WaitInterruptedError('signal'));
  }
  if (milliseconds === undefined && signal === undefined) return promise;
  return new Promise<T>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const finish = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    const onAbort = (): void => {
      finish();
      reject(new WaitInterruptedError('signal'));
    };
    if (milliseconds !== undefined) {
      timer = setTimeout(
        () => {
          finish();
          reject(new WaitInterruptedError('timeout'));
        },
        Math.max(0, milliseconds),
      );
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        finish();
        resolve(value);
      },
      (error: unknown) => {
        finish();
        reject(error);
      },
    );
  });
}
