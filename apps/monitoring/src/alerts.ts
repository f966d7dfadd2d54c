/**
 * Where alerts go: an in-memory outbox standing in for a pager or a chat channel. Only the alert
 * task writes to it (under Temporal, in the worker process).
 */

/** An alert, as the on-call person sees it. */
export interface Alert {
  day: number;
  hour: number;
  systems: string[];
  message: string;
}

const sent = new Map<string, Alert>();

export const outbox = {
  /** Sends an alert once per key: a retried task doesn't page twice. True when it was new. */
  send(key: string, alert: Alert): boolean {
    if (sent.has(key)) return false;
    sent.set(key, { ...alert, systems: [...alert.systems] });
    return true;
  },

  /** The alerts sent, oldest first. */
  sent(): Alert[] {
    return [...sent.values()].map((alert) => ({ ...alert, systems: [...alert.systems] }));
  },

  clear(): void {
    sent.clear();
  },
};
