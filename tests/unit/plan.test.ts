import { describe, expect, it } from 'vitest';
import { PLAN } from '../../src/content/index.ts';
import { localClock } from '../../src/core/local-time.ts';
import { wordStepSms } from '../../src/core/channel.ts';
import { expectedGapDays, painCheckReminder, planReminders } from '../../src/core/plan.ts';

const HOUR = 3_600_000;
const plan = (checkinAt: string, zone: string, gapDays = 7, caps: string | null = null) =>
  planReminders({ channels: ['sms'], checkinId: 'c1', checkinAt: new Date(checkinAt), zone, gapDays, caps });

describe('planReminders', () => {
  it.each([
    ['Europe/London', '2026-03-02T18:00:00Z'],
    ['Europe/London', '2026-03-27T21:30:00Z'], // the week London springs forward
    ['Europe/London', '2026-10-23T06:00:00Z'], // the week it falls back
    ['America/New_York', '2026-03-06T23:59:00Z'],
    ['America/Los_Angeles', '2026-10-30T15:00:00Z'],
    ['Pacific/Auckland', '2026-04-02T07:00:00Z'],
    ['Asia/Kolkata', '2026-06-01T02:00:00Z'],
  ])('%s, leg day %s: every text inside 08:00-20:00 local, ice under 48 h, heat after, in plan order', (zone, checkin) => {
    const t0 = new Date(checkin).getTime();
    const rs = plan(checkin, zone);
    for (const r of rs) {
      const clock = localClock(r.dueAt, zone);
      expect(clock >= '08:00' && clock < '20:00', `${r.stepId} at ${clock}`).toBe(true);
      expect(r.dueAt.getTime()).toBeGreaterThan(t0);
      expect(r.tz).toBe(zone);
    }
    const h = Object.fromEntries(rs.map((r) => [r.stepId, (r.dueAt.getTime() - t0) / HOUR]));
    expect(h['ice-1']).toBeLessThan(48);
    expect(h['ice-2']).toBeLessThan(48);
    expect(h['heat']).toBeGreaterThanOrEqual(48);
    expect(h['mobility-1']).toBeGreaterThan(h['heat']!);
    expect(rs.map((r) => r.stepId)).toEqual(PLAN.steps.map((s) => s.id));
  });

  it('the warm-up text lands on the morning of the expected next leg day', () => {
    // Monday 18:00 in London, weekly: next Monday 08:00.
    const prep = plan('2026-03-02T18:00:00Z', 'Europe/London').find((r) => r.stepId === 'pre-leg-day')!;
    expect(prep.dueAt.toISOString()).toBe('2026-03-09T08:00:00.000Z');
    // Every 4 days: Friday 08:00, and the day-4 mobility text is dropped (it would land after).
    const rs = plan('2026-03-02T18:00:00Z', 'Europe/London', 4);
    expect(rs.find((r) => r.stepId === 'pre-leg-day')!.dueAt.toISOString()).toBe('2026-03-06T08:00:00.000Z');
    expect(rs.map((r) => r.stepId)).not.toContain('mobility-2');
  });

  it('names the caps in the warm-up text', () => {
    const prep = plan('2026-03-02T18:00:00Z', 'Europe/London', 7, 'squat 154kg').find((r) => r.stepId === 'pre-leg-day')!;
    expect(prep.vars).toEqual({ load: { kind: 'caps', caps: 'squat 154kg' } });
    expect(wordStepSms(prep)).toContain('squat 154kg');
  });

  it('says what each step is to say, unworded: the load rule (deload over caps) only on the warm-up text, on every channel', () => {
    const rs = planReminders({ channels: ['sms', 'email'], checkinId: 'c1', checkinAt: new Date('2026-03-02T18:00:00Z'), zone: 'Europe/London', gapDays: 7, caps: 'squat 154kg', deload: null });
    expect(rs).toHaveLength(2 * PLAN.steps.length);
    for (const r of rs) expect(r.vars, `${r.channel} ${r.stepId}`).toEqual(r.stepId === 'pre-leg-day' ? { load: { kind: 'deload', deload: null } } : {});
    expect(rs.some((r) => 'body' in r)).toBe(false);
  });

  it('rescheduling never lands in the past', () => {
    const now = new Date('2026-03-04T12:00:00Z');
    const rs = planReminders({ channels: ['sms'], checkinId: 'c1', checkinAt: new Date('2026-03-02T18:00:00Z'), zone: 'Europe/London', gapDays: 7, caps: null, notBefore: now });
    for (const r of rs) expect(r.dueAt.getTime()).toBeGreaterThanOrEqual(now.getTime());
  });
});

describe('expectedGapDays', () => {
  const days = (...ds: string[]) => ds.map((d) => `${d}T18:00:00.000Z`);
  it.each([
    [days('2026-03-09'), 7],
    [days('2026-03-09', '2026-03-02'), 7],
    [days('2026-03-13', '2026-03-09', '2026-03-05', '2026-03-01'), 4],
    [days('2026-03-12', '2026-03-09', '2026-03-05', '2026-03-02'), 3],
    // A three-week break is not a training rhythm.
    [days('2026-03-30', '2026-03-09', '2026-03-05', '2026-03-01'), 4],
    [days('2026-03-10', '2026-03-09', '2026-03-08', '2026-03-07'), 2],
  ])('%j -> every %i days', (checkins, gap) => {
    expect(expectedGapDays(checkins, 'Europe/London')).toBe(gap);
  });
});

describe('painCheckReminder', () => {
  it('asks at 09:00 the next local morning', () => {
    const [r] = painCheckReminder('pain-1', 1, new Date('2026-03-02T22:30:00Z'), 'America/New_York', ['sms']);
    expect(r!.dueAt.toISOString()).toBe('2026-03-03T14:00:00.000Z');
    expect(r!.vars).toEqual({});
    expect(wordStepSms(r!)).toMatch(/0-10/);
  });
});
