import { describe, expect, it } from 'vitest';
import { localClock } from '../../src/core/local-time.ts';
import { painCheckReminder, placeInWindow, planReminders, spreadOffsetMs } from '../../src/core/plan.ts';

const HOUR = 3_600_000;
const plan = (checkinAt: string, zone: string, gapDays = 7) =>
  planReminders({ channels: ['sms'], checkinId: 'c1', checkinAt: new Date(checkinAt), zone, gapDays, caps: null });

const CHECKINS = [
  ['Europe/London', '2026-03-02T18:00:00Z'],
  ['Europe/London', '2026-03-27T21:30:00Z'], // the week London springs forward
  ['Europe/London', '2026-10-23T06:00:00Z'], // the week it falls back
  ['America/New_York', '2026-03-06T23:59:00Z'], // a late check-in before New York springs forward
  ['America/New_York', '2026-10-31T23:30:00Z'], // the night before New York falls back
  ['America/Los_Angeles', '2026-10-30T15:00:00Z'],
  ['Pacific/Auckland', '2026-04-02T07:00:00Z'],
  ['Asia/Kolkata', '2026-06-01T02:00:00Z'],
] as const;

describe('validity windows', () => {
  it.each(CHECKINS)('%s, leg day %s: every planned step is inside its window, ice windows end at 48 h, heat before mobility, mobility before the next leg day', (zone, checkin) => {
    const t0 = new Date(checkin).getTime();
    const rs = plan(checkin, zone);
    const by = Object.fromEntries(rs.map((r) => [r.stepId, r]));
    for (const r of rs) expect(r.dueAt.getTime(), r.stepId).toBeLessThan(r.validUntil.getTime());
    expect(by['ice-1']!.validUntil.getTime()).toBeLessThanOrEqual(t0 + 48 * HOUR);
    expect(by['ice-2']!.validUntil.getTime()).toBe(t0 + 48 * HOUR);
    // "The morning after" ends with that day.
    expect(localClock(by['ice-1']!.validUntil, zone) === '00:00' || by['ice-1']!.validUntil.getTime() === t0 + 48 * HOUR).toBe(true);
    expect(by['heat']!.validUntil.getTime()).toBeLessThanOrEqual(by['mobility-1']!.dueAt.getTime());
    const nextLegDayStart = by['pre-leg-day']!.dueAt.getTime() - 8 * HOUR;
    expect(by['mobility-2']!.validUntil.getTime()).toBeLessThanOrEqual(nextLegDayStart + 2 * HOUR);
    // The warm-up only before that day's training (about when the last one was, less two hours), never an empty window.
    expect(by['pre-leg-day']!.validUntil.getTime()).toBeGreaterThanOrEqual(by['pre-leg-day']!.dueAt.getTime() + HOUR);
  });

  it('the warm-up window ends two hours before the time of day the last leg day was logged', () => {
    // Logged 19:00 London: next Monday's warm-up is right until 17:00.
    const prep = plan('2026-03-02T19:00:00Z', 'Europe/London').find((r) => r.stepId === 'pre-leg-day')!;
    expect(prep.validUntil.toISOString()).toBe('2026-03-09T17:00:00.000Z');
    // Logged at 08:30 (an early trainer): never less than an hour after the 08:00 text.
    const early = plan('2026-03-02T08:30:00Z', 'Europe/London').find((r) => r.stepId === 'pre-leg-day')!;
    expect(early.validUntil.toISOString()).toBe('2026-03-09T09:00:00.000Z');
  });

  it('quiet-hours deferral moves a step only within its window: past it, the step has no place (expired)', () => {
    const zone = 'America/New_York';
    const until = new Date('2026-03-04T18:00:00Z'); // Wed 13:00 New York
    // Tue 21:00 New York: the next opening, Wed 08:00, is inside.
    expect(placeInWindow(new Date('2026-03-04T02:00:00Z'), until, zone)?.toISOString()).toBe('2026-03-04T13:00:00.000Z');
    // Wed 12:30: now.
    expect(placeInWindow(new Date('2026-03-04T17:30:00Z'), until, zone)?.toISOString()).toBe('2026-03-04T17:30:00.000Z');
    // Wed 13:00 exactly, and Wed 21:00: no place left.
    expect(placeInWindow(until, until, zone)).toBeNull();
    expect(placeInWindow(new Date('2026-03-05T02:00:00Z'), until, zone)).toBeNull();
  });

  it('on a spring-forward night a deferral lands at 08:00 local, still inside a window that ends that morning', () => {
    const zone = 'America/New_York';
    // Sunday 8 March 2026, clocks go 02:00 -> 03:00; 08:00 EDT is 12:00Z.
    const until = new Date('2026-03-08T14:00:00Z');
    expect(placeInWindow(new Date('2026-03-08T06:30:00Z'), until, zone)?.toISOString()).toBe('2026-03-08T12:00:00.000Z');
    // On the fall-back night (1 November 2026), 08:00 EST is 13:00Z.
    expect(placeInWindow(new Date('2026-11-01T05:30:00Z'), new Date('2026-11-01T14:00:00Z'), zone)?.toISOString()).toBe('2026-11-01T13:00:00.000Z');
    expect(placeInWindow(new Date('2026-11-01T05:30:00Z'), new Date('2026-11-01T13:00:00Z'), zone)).toBeNull();
  });

  it('a reschedule (TZ) that can no longer fit a step inside its window plans it at or after the window end, so it is stored expired', () => {
    const now = new Date('2026-03-05T12:00:00Z'); // Thursday noon London: the ice and heat windows are over
    const rs = planReminders({ channels: ['sms'], checkinId: 'c1', checkinAt: new Date('2026-03-02T18:00:00Z'), zone: 'Europe/London', gapDays: 7, caps: null, notBefore: now });
    const expired = rs.filter((r) => r.dueAt >= r.validUntil).map((r) => r.stepId);
    expect(expired).toEqual(expect.arrayContaining(['ice-1', 'ice-2', 'heat']));
    expect(expired).not.toContain('mobility-2');
  });

  it('the pain check-in is only right on the day it asks about', () => {
    const [r] = painCheckReminder('pain-1', 1, new Date('2026-03-02T22:30:00Z'), 'America/New_York', ['sms']);
    expect(r!.validUntil.toISOString()).toBe('2026-03-04T01:00:00.000Z'); // 20:00 New York that day
  });
});

describe('spreading a peak', () => {
  it('gives each number a stable offset inside 0..N minutes, and none when N is 0', () => {
    expect(spreadOffsetMs('+15551234567', 30)).toBe(spreadOffsetMs('+15551234567', 30));
    const offsets = Array.from({ length: 500 }, (_, i) => spreadOffsetMs(`+1555${String(i).padStart(7, '0')}`, 30) / 60_000);
    expect(Math.min(...offsets)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...offsets)).toBeLessThanOrEqual(30);
    expect(new Set(offsets).size).toBeGreaterThan(20);
    expect(spreadOffsetMs('+15551234567', 0)).toBe(0);
  });

  it('a spread plan keeps every step inside sending hours and its window', () => {
    for (const [zone, checkin] of CHECKINS) {
      const rs = planReminders({ channels: ['sms'], checkinId: 'c1', checkinAt: new Date(checkin), zone, gapDays: 7, caps: null, spreadKey: '+15559876543' });
      for (const r of rs) {
        const clock = localClock(r.dueAt, zone);
        expect(clock >= '08:00' && clock < '20:00').toBe(true);
        expect(r.dueAt.getTime()).toBeLessThan(r.validUntil.getTime());
      }
    }
  });
});
