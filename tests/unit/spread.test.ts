import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PLAN } from '../../src/content/index.ts';
import { atLocalTime, localClock } from '../../src/core/local-time.ts';
import { movedStepTime, painCheckReminder, planReminders, spreadOffsetMs, type NewReminder } from '../../src/core/plan.ts';
import { respond } from '../../src/core/respond.ts';
import { active, hoursLater, input, legDay, NY, phone } from '../support/lifter.ts';

// The issue: each person's texts go at their own stable minute inside 0..spreadMinutes, so the
// 08:00-09:00 peaks flatten (the capacity bench: 10k lifters on 3/s, p99 lateness 13 min -> 0).

const MIN = 60_000;
const ZONES = ['Europe/London', 'America/New_York', 'America/Los_Angeles', 'Pacific/Auckland', 'Asia/Kolkata'] as const;
const plan = (checkinAt: Date, zone: string, extra: Partial<Parameters<typeof planReminders>[0]> = {}) =>
  planReminders({ channels: ['sms'], checkinId: 'c1', checkinAt, zone, gapDays: 7, caps: null, ...extra });
const byStep = (rs: NewReminder[]) => Object.fromEntries(rs.map((r) => [r.stepId, r]));
const numbers = Array.from({ length: 1000 }, (_, i) => `+1555${String(i * 7919).padStart(7, '0')}`);

describe('the spread is on', () => {
  it('plan.json spreads by 30 minutes, the value the capacity bench measured', () => {
    expect(PLAN.spreadMinutes).toBe(30);
  });

  it('is stable for a number: the same offset and the same plan every time', () => {
    expect(spreadOffsetMs(phone)).toBe(spreadOffsetMs(phone));
    const a = plan(legDay, NY, { spreadKey: phone });
    const b = plan(legDay, NY, { spreadKey: phone });
    expect(a.map((r) => r.dueAt.getTime())).toEqual(b.map((r) => r.dueAt.getTime()));
  });

  it('spreads different numbers across the whole 0..30 minutes, roughly evenly', () => {
    const minutes = numbers.map((n) => spreadOffsetMs(n) / MIN);
    for (const m of minutes) expect(Number.isInteger(m) && m >= 0 && m <= 30).toBe(true);
    expect(new Set(minutes).size).toBe(31);
    // No third of the range takes more than half of the people (the point is a flat peak).
    for (const [lo, hi] of [[0, 10], [11, 20], [21, 30]] as const) {
      const share = minutes.filter((m) => m >= lo && m <= hi).length / minutes.length;
      expect(share).toBeGreaterThan(0.2);
      expect(share).toBeLessThan(0.5);
    }
  });

  it('moves every step of an ordinary plan by exactly the person\'s offset', () => {
    // Monday 18:00 New York: every step is mid-day, far from its window's end and from 20:00.
    const offset = spreadOffsetMs(phone);
    expect(offset).toBeGreaterThan(0);
    const unspread = byStep(plan(legDay, NY));
    for (const r of plan(legDay, NY, { spreadKey: phone })) {
      expect(r.dueAt.getTime() - unspread[r.stepId]!.dueAt.getTime(), r.stepId).toBe(offset);
      // The window is the plan's: spreading never widens it.
      expect(r.validUntil).toEqual(unspread[r.stepId]!.validUntil);
    }
  });
});

describe('the spread never moves a step where it must not go', () => {
  it('any number, zone and check-in: inside sending hours, inside the window, the same window, and either the planned time or planned + offset', () => {
    const instants = fc.integer({ min: Date.parse('2026-01-01T00:00:00Z'), max: Date.parse('2026-12-31T00:00:00Z') });
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 20 }), fc.constantFrom(...ZONES), instants, fc.integer({ min: 0, max: 120 }), (key, zone, at, notBeforeMinutes) => {
        const checkinAt = new Date(at);
        // A replan (TZ change) some time after the check-in, when some of the plan is behind.
        const notBefore = new Date(at + notBeforeMinutes * 30 * MIN);
        const unspread = byStep(plan(checkinAt, zone, { notBefore }));
        const offset = spreadOffsetMs(key);
        for (const r of plan(checkinAt, zone, { notBefore, spreadKey: key })) {
          const u = unspread[r.stepId]!;
          expect(r.validUntil).toEqual(u.validUntil);
          expect([u.dueAt.getTime(), u.dueAt.getTime() + offset]).toContain(r.dueAt.getTime());
          const clock = localClock(r.dueAt, zone);
          expect(clock >= PLAN.sendingHours.start && clock < PLAN.sendingHours.end).toBe(true);
          // A step the unspread plan could still send, the spread one can too.
          if (u.dueAt < u.validUntil) expect(r.dueAt.getTime()).toBeLessThan(r.validUntil.getTime());
        }
      }),
      { numRuns: 300 },
    );
  });

  it('a step near the end of sending hours stays that evening rather than going the next morning', () => {
    // Legs done 19:45 New York: heat waits 48 h, to Wednesday 19:45; 19:45 + 29 min is past 20:00.
    const checkinAt = new Date('2026-03-03T00:45:00Z');
    expect(spreadOffsetMs(phone)).toBeGreaterThan(15 * MIN);
    const heat = byStep(plan(checkinAt, NY, { spreadKey: phone }))['heat']!;
    expect(heat.dueAt.toISOString()).toBe('2026-03-05T00:45:00.000Z');
  });

  it('a replan close to the end of a window does not spread the step past it (validUntil)', () => {
    // Heat is right until Thursday 09:00 New York; a TZ text at 08:45 replans it for 08:45, and
    // 08:45 + 29 min would be after 09:00.
    const now = new Date('2026-03-05T13:45:00Z');
    const heat = byStep(plan(legDay, NY, { notBefore: now, spreadKey: phone }))['heat']!;
    expect(heat.validUntil.toISOString()).toBe('2026-03-05T14:00:00.000Z');
    expect(heat.dueAt).toEqual(now);
  });

  it('an offset longer than a window is not applied to that step, and still is to the others', () => {
    // With a 120-minute spread some number's offset exceeds the warm-up text's one-hour minimum window.
    const key = numbers.find((n) => spreadOffsetMs(n, 120) > 90 * MIN)!;
    const offset = spreadOffsetMs(key, 120);
    // Legs done 10:00 New York: the next leg day's training likely starts 08:00, so the 08:00
    // warm-up text has only its one-hour minimum window.
    const checkinAt = new Date('2026-03-02T15:00:00Z');
    const unspread = byStep(plan(checkinAt, NY));
    const spread = byStep(plan(checkinAt, NY, { spreadKey: key, spreadMinutes: 120 }));
    const warmUp = spread['pre-leg-day']!;
    expect(warmUp.validUntil.getTime() - unspread['pre-leg-day']!.dueAt.getTime()).toBeLessThan(offset);
    expect(warmUp.dueAt).toEqual(unspread['pre-leg-day']!.dueAt);
    expect(spread['mobility-1']!.dueAt.getTime()).toBe(unspread['mobility-1']!.dueAt.getTime() + offset);
  });
});

describe('everything planned for a person gets their one offset', () => {
  const offset = spreadOffsetMs(phone);

  it('the pain check goes at 09:00 plus the same offset as their plan, inside its day', () => {
    const [unspread] = painCheckReminder('pain-1', 1, hoursLater(20), NY, ['sms']);
    const [r] = painCheckReminder('pain-1', 1, hoursLater(20), NY, ['sms'], phone);
    expect(localClock(unspread!.dueAt, NY)).toBe('09:00');
    expect(r!.dueAt.getTime()).toBe(unspread!.dueAt.getTime() + offset);
    expect(r!.validUntil).toEqual(unspread!.validUntil);
    const ice1 = byStep(plan(legDay, NY, { spreadKey: phone }))['ice-1']!;
    expect(localClock(r!.dueAt, NY)).toBe(localClock(ice1.dueAt, NY));
  });

  it('a moved warm-up text (skipped leg day) goes at the plan\'s 08:00 on its new day plus the same offset, in every zone', () => {
    for (const zone of ZONES) {
      const now = new Date('2026-03-09T16:00:00Z');
      for (const days of [1, 3, 7]) {
        const moved = movedStepTime('pre-leg-day', now, zone, days, phone);
        expect(moved.getTime() - atLocalTime(now, zone, days, '08:00').getTime(), `${zone} +${days}`).toBe(offset);
      }
      // The same minute as the warm-up text of the person's plan.
      const planned = byStep(plan(legDay, zone, { spreadKey: phone }))['pre-leg-day']!;
      expect(localClock(movedStepTime('pre-leg-day', now, zone, 1, phone), zone)).toBe(localClock(planned.dueAt, zone));
    }
  });

  it('respond: a check-in, a high pain score, a TZ change and RESUME all plan with the lifter\'s offset', () => {
    const checkin = respond(active({ recent: [] }), input('legs done', legDay));
    const ice1 = checkin.reminders.find((r) => r.stepId === 'ice-1')!;
    const unspread = byStep(plan(legDay, NY));
    expect(ice1.dueAt.getTime()).toBe(unspread['ice-1']!.dueAt.getTime() + offset);
    // "pain 8" the next afternoon: tomorrow's pain check goes at the same minute as the morning texts.
    const pain = respond(active(), input('pain 8', hoursLater(20))).reminders.find((r) => r.stepId === 'pain-check-1')!;
    expect(localClock(pain.dueAt, NY)).toBe(localClock(ice1.dueAt, NY));

    // TZ: the same minute past the hour in the new zone.
    const tz = respond(active(), input('TZ Europe/London', hoursLater(1)));
    const london = byStep(plan(legDay, 'Europe/London', { notBefore: hoursLater(1) }));
    for (const r of tz.reschedule) expect(r.dueAt.getTime(), r.stepId).toBe(london[r.stepId]!.dueAt.getTime() + offset);

    // RESUME: what is still ahead goes at the times the spread plan had.
    const paused = respond(active(), input('pause', hoursLater(1))).user!;
    const back = respond(paused, input('resume', hoursLater(30)));
    const spread = byStep(plan(legDay, NY, { spreadKey: phone }));
    expect(back.reminders.length).toBeGreaterThan(0);
    for (const r of back.reminders) expect(r.dueAt, r.stepId).toEqual(spread[r.stepId]!.dueAt);
  });
});
