import type { Clock } from '../use-cases/ports.ts';

/** The only place the service reads the wall clock. */
export const systemClock: Clock = { now: () => new Date() };

export interface AdjustableClock extends Clock {
  /** Moves "now" forward; time keeps running from there. */
  advance(minutes: number): Date;
}

/** Local mode's clock: real time plus an offset that /dev/clock moves forward. */
export function createAdjustableClock(base: Clock = systemClock): AdjustableClock {
  let offsetMs = 0;
  const now = () => new Date(base.now().getTime() + offsetMs);
  return {
    now,
    advance(minutes) {
      offsetMs += minutes * 60_000;
      return now();
    },
  };
}

/** A clock that stands still until moved: for tests that need exact times. */
export function createFixedClock(start: Date): AdjustableClock {
  let t = start.getTime();
  return {
    now: () => new Date(t),
    advance(minutes) {
      t += minutes * 60_000;
      return new Date(t);
    },
  };
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
