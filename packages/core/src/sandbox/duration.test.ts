import { describe, expect, it } from 'vitest';
import { secondsOrDurationToMilliseconds, toMilliseconds } from './duration.js';

describe('toMilliseconds', () => {
  it('returns a number as milliseconds, unchanged', () => {
    expect(toMilliseconds(0)).toBe(0);
    expect(toMilliseconds(1_500)).toBe(1_500);
    expect(toMilliseconds(2.5)).toBe(2.5);
  });

  it.each([
    ['500ms', 500],
    ['30s', 30_000],
    ['2m', 120_000],
    ['1h', 3_600_000],
    ['1d', 86_400_000],
    ['1w', 604_800_000],
    ['5sec', 5_000],
    ['10 mins', 600_000],
    ['3 hrs', 10_800_000],
  ])('reads the short unit in %j', (text, expected) => {
    expect(toMilliseconds(text)).toBe(expected);
  });

  it.each([
    ['250 milliseconds', 250],
    ['1 second', 1_000],
    ['45 seconds', 45_000],
    ['1 minute', 60_000],
    ['5 minutes', 300_000],
    ['1 hour', 3_600_000],
    ['2 hours', 7_200_000],
    ['1 day', 86_400_000],
    ['2 days', 172_800_000],
    ['1 week', 604_800_000],
    ['2 weeks', 1_209_600_000],
  ])('reads the long unit in %j', (text, expected) => {
    expect(toMilliseconds(text)).toBe(expected);
  });

  it('ignores case and surrounding spaces', () => {
    expect(toMilliseconds('  2 Minutes ')).toBe(120_000);
    expect(toMilliseconds('1H')).toBe(3_600_000);
  });

  it('reads decimals and rounds to whole milliseconds', () => {
    expect(toMilliseconds('1.5s')).toBe(1_500);
    expect(toMilliseconds('0.25 hours')).toBe(900_000);
    expect(toMilliseconds('2.4ms')).toBe(2);
  });

  it('reads a decimal without a leading zero, as the config schema does', () => {
    expect(toMilliseconds('.5s')).toBe(500);
  });

  it.each([-1, Number.NaN, Number.POSITIVE_INFINITY])('rejects the number %s, naming the value', (value) => {
    expect(() => toMilliseconds(value, 'sleep duration')).toThrow(new TypeError(`sleep duration: expected a non-negative number of milliseconds, got ${String(value)}`));
  });

  it.each(['', 'soon', '5', 'ms', '5 fortnights', '-5s', '1.s', '1e3ms', '5 s s'])('rejects the string %j, naming it', (text) => {
    expect(() => toMilliseconds(text, 'sleep duration')).toThrow(TypeError);
    expect(() => toMilliseconds(text, 'sleep duration')).toThrow(`sleep duration: expected milliseconds or a string like`);
    expect(() => toMilliseconds(text, 'sleep duration')).toThrow(`got ${JSON.stringify(text)}`);
  });

  it('rejects a value of another type at run time', () => {
    expect(() => toMilliseconds(null as unknown as number)).toThrow(/^duration: expected milliseconds .* got null$/);
    expect(() => toMilliseconds({} as unknown as number)).toThrow('got {}');
  });
});

describe('secondsOrDurationToMilliseconds', () => {
  it('reads a number as seconds and a string by its unit', () => {
    expect(secondsOrDurationToMilliseconds(2, 'x')).toBe(2_000);
    expect(secondsOrDurationToMilliseconds(0.5, 'x')).toBe(500);
    expect(secondsOrDurationToMilliseconds('250ms', 'x')).toBe(250);
  });

  it('names the setting in the error', () => {
    expect(() => secondsOrDurationToMilliseconds(-1, 'temporal.timeout')).toThrow('temporal.timeout: expected a non-negative number of milliseconds, got -1000');
    expect(() => secondsOrDurationToMilliseconds('later', 'temporal.timeout')).toThrow(/^temporal\.timeout: .*got "later"$/);
  });
});
