/**
 * Durations as workflow code writes them: a number of milliseconds, or a string such as
 * `'500ms'`, `'30s'`, `'5 minutes'`, `'1h'`, `'2 days'`. Safe for the workflow sandbox.
 */

/** A number of milliseconds, or a string like `'30s'` or `'5 minutes'`. */
export type Duration = number | string;

const UNIT_MILLISECONDS: Record<string, number> = {
  ms: 1,
  millisecond: 1,
  milliseconds: 1,
  s: 1_000,
  sec: 1_000,
  secs: 1_000,
  second: 1_000,
  seconds: 1_000,
  m: 60_000,
  min: 60_000,
  mins: 60_000,
  minute: 60_000,
  minutes: 60_000,
  h: 3_600_000,
  hr: 3_600_000,
  hrs: 3_600_000,
  hour: 3_600_000,
  hours: 3_600_000,
  d: 86_400_000,
  day: 86_400_000,
  days: 86_400_000,
  w: 604_800_000,
  week: 604_800_000,
  weeks: 604_800_000,
};

// Accepts what the config schema accepts (`.5s` included), so a valid config value always converts.
const DURATION_PATTERN = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*([a-z]+)\s*$/i;

/**
 * Converts a {@link Duration} to milliseconds.
 *
 * @param what names the value in the error message, e.g. `'sleep duration'`.
 * @throws TypeError naming the value and the accepted forms.
 * @example toMilliseconds('2 minutes') // 120000
 */
export function toMilliseconds(duration: Duration, what = 'duration'): number {
  if (typeof duration === 'number') {
    if (!Number.isFinite(duration) || duration < 0) {
      throw new TypeError(`${what}: expected a non-negative number of milliseconds, got ${String(duration)}`);
    }
    return duration;
  }
  if (typeof duration === 'string') {
    const match = DURATION_PATTERN.exec(duration);
    const unit = match?.[2] === undefined ? undefined : UNIT_MILLISECONDS[match[2].toLowerCase()];
    if (match?.[1] !== undefined && unit !== undefined) return Math.round(Number(match[1]) * unit);
  }
  throw new TypeError(`${what}: expected milliseconds or a string like "500ms", "30s", "5 minutes", "2h", "1 day", got ${JSON.stringify(duration)}`);
}

/** Converts a config value in seconds (number) or a duration string to milliseconds. */
export function secondsOrDurationToMilliseconds(value: number | string, what: string): number {
  return typeof value === 'number' ? toMilliseconds(value * 1000, what) : toMilliseconds(value, what);
}
