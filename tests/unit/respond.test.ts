import { describe, expect, it } from 'vitest';
import { SMS } from '../../src/content/messages.ts';
import { RECOVERY_PLAN } from '../../src/content/plan.ts';
import { respond, type UserState } from '../../src/core/respond.ts';

const phone = '+15551234567';
const legDay = new Date('2026-03-02T18:00:00Z');
const hoursLater = (h: number) => new Date(legDay.getTime() + h * 3_600_000);
const ids = () => {
  let n = 0;
  return () => `id-${++n}`;
};
const input = (text: string, now = legDay) => ({ phone, text, now, newId: ids() });
const active: UserState = {
  phone,
  status: 'active',
  enrolledAt: '2026-02-01T10:00:00.000Z',
  lastCheckin: { id: 'old', at: legDay.toISOString() },
  version: 3,
};

describe('respond: check-in', () => {
  it('enrols a new number, schedules the whole plan and discloses frequency, rates, STOP and HELP', () => {
    const d = respond(null, input('legs done'));
    expect(d.reply).toBe(SMS.checkinFirst);
    expect(d.user).toMatchObject({ phone, status: 'active', version: 1, lastCheckin: { id: 'id-1' } });
    expect(d.reminders.map((r) => r.stepId)).toEqual(RECOVERY_PLAN.map((s) => s.id));
    expect(d.reminders[0]!.dueAt.toISOString()).toBe(hoursLater(RECOVERY_PLAN[0]!.afterHours).toISOString());
    expect(d.consent).toMatchObject({ action: 'opt-in', via: 'first check-in', text: 'legs done' });
    expect(d.cancelPendingOf).toBeNull();
  });

  it('a repeat check-in replaces the pending follow-ups of the last one', () => {
    const d = respond(active, input('legs done', hoursLater(170)));
    expect(d.reply).toBe(SMS.checkinAgain);
    expect(d.cancelPendingOf).toBe('old');
    expect(d.user).toMatchObject({ version: 4, lastCheckin: { id: 'id-1', at: hoursLater(170).toISOString() } });
    expect(d.consent).toBeNull();
  });

  it('an opted-out number gets nothing and changes nothing', () => {
    const d = respond({ ...active, status: 'opted_out' }, input('legs done'));
    expect(d).toMatchObject({ reply: null, user: null, reminders: [] });
  });

  it('a check-in that mentions pain answers with the pain steps', () => {
    const d = respond(active, input('legs done, back hurts'));
    expect(d.reply).toBe(SMS.checkinWithPainPrefix + SMS.painEarly);
    expect(d.checkin).toMatchObject({ details: 'back hurts' });
  });
});

describe('respond: pain', () => {
  it.each([
    [0, SMS.painEarly],
    [47.9, SMS.painEarly],
    [48, SMS.painLate],
    [120, SMS.painLate],
  ])('%s h after leg day: the right steps', (h, reply) => {
    expect(respond(active, input('pain', hoursLater(h))).reply).toBe(reply);
  });

  it('with no leg day on record, explains both ice and heat', () => {
    expect(respond(null, input('PAIN 7')).reply).toBe(SMS.painNoCheckin);
  });

  it('a red flag gets only the medical-help reply', () => {
    const d = respond(active, input('pain and my leg is numb'));
    expect(d.reply).toBe(SMS.urgent);
    expect(d.reply).not.toMatch(/90\/90|foam|dead hang|knees-to-chest|ice the/i);
  });

  it('writes nothing', () => {
    expect(respond(active, input('pain'))).toMatchObject({ user: null, checkin: null, reminders: [] });
  });
});

describe('respond: STOP, START, HELP, unknown', () => {
  it('STOP opts out, cancels pending follow-ups and records consent', () => {
    const d = respond(active, input('STOP'));
    expect(d.reply).toBe(SMS.stopped);
    expect(d.user).toMatchObject({ status: 'opted_out', version: 4 });
    expect(d.cancelPendingOf).toBe('old');
    expect(d.consent).toMatchObject({ action: 'opt-out', via: 'keyword', text: 'STOP' });
  });

  it('START re-enrols an opted-out number', () => {
    const d = respond({ ...active, status: 'opted_out' }, input('start'));
    expect(d.reply).toBe(SMS.started);
    expect(d.user).toMatchObject({ status: 'active' });
    expect(d.consent).toMatchObject({ action: 'opt-in' });
  });

  it('HELP is answered even after STOP', () => {
    expect(respond({ ...active, status: 'opted_out' }, input('HELP')).reply).toBe(SMS.help);
  });

  it('unknown texts get a hint; after STOP, silence', () => {
    expect(respond(active, input('hello?')).reply).toBe(SMS.unknown);
    expect(respond({ ...active, status: 'opted_out' }, input('hello?')).reply).toBeNull();
  });
});
