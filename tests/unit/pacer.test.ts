import { describe, expect, it } from 'vitest';
import { createFixedClock } from '../../src/adapters/clock.ts';
import { createPacer, retryDelayMs } from '../../src/use-cases/send-due-reminders.ts';

/** A clock that only moves when the code under test sleeps (the pacer's waits are taken in turn). */
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
    const t = fakeTime();
    const pace = createPacer(4, t.clock, t.sleep);
    const released: number[] = [];
    // Sixteen workers ask at the same instant.
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        await pace();
        released.push(t.elapsed());
      }),
    );
    released.sort((a, b) => a - b);
    expect(released[0]).toBe(0);
    // Any five consecutive sends span at least a second: never more than 4 in one.
    for (let i = 4; i < released.length; i++) expect(released[i]! - released[i - 4]!).toBeGreaterThanOrEqual(1000);
    // And the pacer does not dawdle: 16 sends at 4/s take under 4.1 s.
    expect(released.at(-1)!).toBeLessThan(4100);
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
