/**
 * When a schedule fires. Pure functions of workflow time: no clock of their own, so they give the
 * same answer when Temporal replays the workflow. Safe for the workflow sandbox.
 */
import { WorkflowApplicationError } from '@mcp-agent/core';

/** Every day at a UTC wall-clock time, or every N seconds (on multiples of N since the epoch). */
export type Schedule = { dailyAtUtc: string } | { everySeconds: number };

const DAY_MS = 86_400_000;

/** Throws a non-retryable `InvalidSchedule` error naming what is wrong. */
export function validateSchedule(schedule: Schedule | undefined): void {
  if (schedule !== undefined && 'dailyAtUtc' in schedule) {
    const match = /^(\d{2}):(\d{2})$/.exec(String(schedule.dailyAtUtc));
    if (match === null || Number(match[1]) > 23 || Number(match[2]) > 59) {
      throw WorkflowApplicationError.nonRetryable(`schedule.dailyAtUtc: expected "HH:MM" (00:00 to 23:59), got ${JSON.stringify(schedule.dailyAtUtc)}`, 'InvalidSchedule');
    }
    return;
  }
  if (schedule !== undefined && 'everySeconds' in schedule) {
    if (!Number.isInteger(schedule.everySeconds) || schedule.everySeconds < 1) {
      throw WorkflowApplicationError.nonRetryable(`schedule.everySeconds: expected a whole number of seconds >= 1, got ${JSON.stringify(schedule.everySeconds)}`, 'InvalidSchedule');
    }
    return;
  }
  throw WorkflowApplicationError.nonRetryable(`schedule: expected { dailyAtUtc: "HH:MM" } or { everySeconds: N }, got ${JSON.stringify(schedule)}`, 'InvalidSchedule');
}

/** The first time the schedule fires strictly after `after` (epoch milliseconds). */
export function nextRunTime(schedule: Schedule, after: number): number {
  if ('everySeconds' in schedule) {
    const period = schedule.everySeconds * 1000;
    return (Math.floor(after / period) + 1) * period;
  }
  const [hours, minutes] = schedule.dailyAtUtc.split(':').map(Number) as [number, number];
  const day = new Date(after);
  const today = Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate(), hours, minutes);
  return today > after ? today : today + DAY_MS;
}

/** Describes a schedule for people: "every day at 09:00 UTC", "every 2 seconds". */
export function describeSchedule(schedule: Schedule): string {
  return 'dailyAtUtc' in schedule ? `every day at ${schedule.dailyAtUtc} UTC` : schedule.everySeconds === 1 ? 'every second' : `every ${schedule.everySeconds} seconds`;
}
