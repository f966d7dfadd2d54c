import { afterEach, describe, expect, it, vi } from 'vitest';
import { RealClock } from './clock.js';

const pause = (milliseconds: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, milliseconds));

afterEach(() => {
  vi.restoreAllMocks();
});

describe('RealClock', () => {
  it('does not fire a timer before now() reaches its moment, when setTimeout calls back early', async () => {
    const start = Date.now();
    // A wall clock that lags the timers: it stays where it is until the test moves it.
    let wall = start;
    vi.spyOn(Date, 'now').mockImplementation(() => wall);
    const clock = new RealClock();
    let fired: number | undefined;
    clock.setTimer(20, () => {
      fired = clock.now();
    });
    wall = start + 15;
    await pause(60);
    expect(fired).toBeUndefined();
    wall = start + 20;
    await pause(60);
    expect(fired).toBe(start + 20);
  });

  it('fires a zero-length timer after the current turn, not during setTimer', async () => {
    const clock = new RealClock();
    let fired = false;
    clock.setTimer(0, () => {
      fired = true;
    });
    expect(fired).toBe(false);
    await pause(10);
    expect(fired).toBe(true);
  });

  it('can clear a timer that is waiting for the wall clock', async () => {
    const start = Date.now();
    let wall = start;
    vi.spyOn(Date, 'now').mockImplementation(() => wall);
    const clock = new RealClock();
    let fired = false;
    const timer = clock.setTimer(10, () => {
      fired = true;
    });
    wall = start + 5;
    await pause(40);
    clock.clearTimer(timer);
    wall = start + 100;
    await pause(40);
    expect(fired).toBe(false);
  });
});
