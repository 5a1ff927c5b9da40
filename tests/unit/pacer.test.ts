import { describe, expect, it } from 'vitest';
import { createFixedClock } from '../../src/adapters/clock.ts';
import { createPacer, retryDelayMs } from '../../src/use-cases/send-due-reminders.ts';

/** A clock that only moves when the code under test sleeps. */
function fakeTime() {
  const clock = createFixedClock(new Date('2026-03-02T18:00:00Z'));
  const start = clock.now().getTime();
  const sleep = async (ms: number) => {
    clock.advance(ms / 60_000);
  };
  return { clock, sleep, elapsed: () => clock.now().getTime() - start };
}

describe('createPacer', () => {
  it('holds a messages-per-second cap, even with many callers at once', async () => {
    // The clock stands still, so every caller asks at the same instant; each is told how long to wait.
    const clock = createFixedClock(new Date('2026-03-02T18:00:00Z'));
    const waits: number[] = [];
    const pace = createPacer(4, clock, async (ms) => {
      waits.push(ms);
    });
    await Promise.all(Array.from({ length: 16 }, () => pace()));
    // The first goes at once; the other 15 are spaced 250 ms apart: never more than 4 in a second.
    expect(waits.sort((a, b) => a - b)).toEqual(Array.from({ length: 15 }, (_, i) => (i + 1) * 250));
  });

  it('a cap of 0 means no pacing', async () => {
    const t = fakeTime();
    const pace = createPacer(0, t.clock, t.sleep);
    for (let i = 0; i < 100; i++) await pace();
    expect(t.elapsed()).toBe(0);
  });
});

describe('retryDelayMs', () => {
  it.each([
    [1, 1],
    [2, 2],
    [3, 4],
    [5, 16],
    [9, 60],
  ])('retry %i waits %i min', (attempt, minutes) => expect(retryDelayMs(attempt)).toBe(minutes * 60_000));
});
