import { describe, expect, it } from 'vitest';
import { DISCLOSURE, LOAD_TEXT, PLAN, SMS, render } from '../../src/content/index.ts';
import { understand } from '../../src/core/understanding/index.ts';
import { respond as decide } from '../../src/core/respond.ts';
import type { UserState } from '../../src/core/user.ts';
import { wordSms, wordStepSms } from '../../src/core/channel.ts';
import { spreadOffsetMs, type NewReminder } from '../../src/core/plan.ts';
import { active, daysLater, hoursLater, input, legDay, phone, NY } from '../support/lifter.ts';

/** The decision, with its reply worded as a text (as the webhook sends it). */
const respond = (...args: Parameters<typeof decide>) => {
  const d = decide(...args);
  return { ...d, text: wordSms(d) };
};


describe('respond: check-in', () => {
  it('enrols a new number in its zone, schedules the plan and discloses frequency, rates, STOP and HELP', () => {
    const d = respond(null, input('legs done'));
    expect(d.text).toBe(SMS.checkinFirst);
    expect(d.user).toMatchObject({ phone, status: 'active', version: 1, timezone: NY, recent: [{ id: 'id-1' }] });
    expect(d.reminders.map((r) => r.stepId)).toEqual(PLAN.steps.map((s) => s.id));
    expect(d.consent).toMatchObject({ action: 'opt-in', via: 'first check-in', text: 'legs done' });
    expect(d.cancelSeries).toEqual([]);
  });

  it('a +44 number is placed in London, a +64 one in Auckland', () => {
    expect(respond(null, { ...input('legs done'), from: '+447700900123' }).user?.timezone).toBe('Europe/London');
    expect(respond(null, { ...input('legs done'), from: '+64211234567' }).user?.timezone).toBe('Pacific/Auckland');
  });

  it('a repeat check-in replaces the pending follow-ups of the last one', () => {
    const d = respond(active(), input('legs done', daysLater(7)));
    expect(d.text).toBe(SMS.checkinAgain);
    expect(d.cancelSeries).toEqual(['old']);
    expect(d.user).toMatchObject({ version: 4, recent: [{ id: 'id-1' }, { id: 'old' }] });
    expect(d.consent).toBeNull();
  });

  it('logs lifts and names the 10% cap in the pre-leg-day text', () => {
    const uk = '+447700900123';
    const d = respond(active({ phone: uk, timezone: 'Europe/London', recent: [] }), { ...input('legs done squat 140 deadlift 180kg'), from: uk });
    expect(d.checkin?.lifts).toEqual([
      { lift: 'squat', weight: 140, unit: 'kg' },
      { lift: 'deadlift', weight: 180, unit: 'kg' },
    ]);
    const prep = d.reminders.find((r) => r.stepId === 'pre-leg-day')!;
    expect(wordStepSms(prep)).toContain('squat 154kg');
    expect(wordStepSms(prep)).toContain('deadlift 198kg');
  });

  it('after a break of two weeks or more, advises a 20-30% deload with the numbers', () => {
    const before: UserState = active({
      recent: [{ id: 'old', at: legDay.toISOString(), lifts: [{ lift: 'squat', weight: 140, unit: 'kg' }], pain: [] }],
    });
    const d = respond(before, input('legs done', daysLater(21)));
    expect(d.text).toBe(render(SMS.checkinAfterBreak, { weeks: 3, deload: 'squat 98-112kg' }));
  });

  it('a replan of a leg day after a break keeps the deload in the warm-up text (skipped, MISREAD, a new zone)', () => {
    const before: UserState = active({
      recent: [{ id: 'old', at: legDay.toISOString(), lifts: [{ lift: 'squat', weight: 140, unit: 'kg' }], pain: [] }],
    });
    const back = daysLater(21);
    // Back after three weeks with a squat logged: the caps would say "squat 110kg"; the deload is what fits.
    const d = respond(before, input('legs done squat 100kg', back));
    const deload = render(LOAD_TEXT.deload, { deload: ': squat 98-112kg' });
    const warmUp = (rs: readonly NewReminder[]) => wordStepSms(rs.find((r) => r.stepId.startsWith('pre-leg-day'))!);
    expect(warmUp(d.reminders)).toContain(deload);
    const after = d.user!;
    const soon = new Date(back.getTime() + 3_600_000);
    expect(warmUp(respond(after, input('skipped leg day', soon)).reschedule)).toContain(deload);
    expect(warmUp(respond(after, input('MISREAD', soon)).reminders)).toContain(deload);
    expect(warmUp(respond(after, input('TZ Chicago', soon)).reschedule)).toContain(deload);
  });

  it('after a break, the warm-up text names the same deload as the reply, even when the lifts were only in the oldest of eight leg days, and so does a replan', () => {
    const recent = Array.from({ length: 8 }, (_, i) => ({ id: `c${i}`, at: daysLater(-7 * i).toISOString(), lifts: i === 7 ? [{ lift: 'squat' as const, weight: 140, unit: 'kg' as const }] : [], pain: [] }));
    const d = respond(active({ recent }), input('legs done', daysLater(21)));
    expect(d.text).toBe(render(SMS.checkinAfterBreak, { weeks: 3, deload: 'squat 98-112kg' }));
    const deload = render(LOAD_TEXT.deload, { deload: ': squat 98-112kg' });
    const warmUp = (rs: readonly NewReminder[]) => wordStepSms(rs.find((r) => r.stepId.startsWith('pre-leg-day'))!);
    expect(warmUp(d.reminders)).toContain(deload);
    // The oldest leg day has dropped off the record; the replan still says what the reply said.
    expect(d.user!.recent.map((c) => c.id)).not.toContain('c7');
    expect(warmUp(respond(d.user!, input('TZ Chicago', new Date(daysLater(21).getTime() + 3_600_000))).reschedule)).toContain(deload);
  });

  it('an opted-out number gets nothing and changes nothing', () => {
    const d = respond(active({ status: 'opted_out' }), input('legs done'));
    expect(d).toMatchObject({ reply: null, user: null, reminders: [] });
  });

  it('a check-in that mentions pain answers with the pain steps', () => {
    const d = respond(active(), input('legs done, back hurts'));
    expect(d.text).toBe(render(SMS.checkinWithPain, { painReply: SMS.painEarly }));
    expect(d.painReport).toMatchObject({ checkinId: d.checkin!.id });
  });
});

describe('respond: pain', () => {
  it.each([
    [0, SMS.painEarly],
    [47.9, SMS.painEarly],
    [48, SMS.painLate],
    [120, SMS.painLate],
  ])('%s h after leg day: the right steps', (h, reply) => {
    expect(respond(active(), input('pain', hoursLater(h))).text).toBe(reply);
  });

  it('with no leg day on record, explains both ice and heat', () => {
    expect(respond(null, input('PAIN 5')).text).toBe(`${SMS.painNoCheckin} ${DISCLOSURE}`);
  });

  it('a red flag gets only the see-a-doctor reply, saying what it noticed', () => {
    const d = respond(active(), input('pain and my leg is numb'));
    expect(d.text).toBe(render(SMS.redFlagSoon, { noticed: 'numbness or tingling down a leg' }));
    expect(d.redFlag).toMatchObject({ tier: 'soon', signs: ['leg-numbness'], checkinId: 'old' });
    expect(d.cancelSeries).toEqual(['old']);
    expect(d.text).not.toMatch(/90\/90|foam|dead hang|knees-to-chest|ice the/i);
  });

  it('stores the report with the leg day it follows', () => {
    const d = respond(active(), input('pain 5', hoursLater(20)));
    expect(d.painReport).toMatchObject({ score: 5, checkinId: 'old', checkinAt: legDay.toISOString() });
    expect(d.user?.recent[0]?.pain).toEqual([5]);
  });

  it('7 or more: a gentler plan and a check-in next morning', () => {
    const d = respond(active(), input('pain 8', hoursLater(20)));
    expect(d.text).toBe(render(SMS.painHigh, { score: 8, iceOrHeat: SMS.painIce }));
    expect(d.text).toMatch(/skip your next heavy session/i);
    expect(d.user?.painTrack).toMatchObject({ scores: [8] });
    expect(d.reminders).toEqual([expect.objectContaining({ stepId: 'pain-check-1', series: d.user!.painTrack!.id })]);
    // 09:00 the next morning in New York, plus this lifter's spread offset.
    expect(d.reminders[0]!.dueAt.getTime()).toBe(Date.parse('2026-03-04T14:00:00.000Z') + spreadOffsetMs(phone));
  });

  it('a score that is not falling after three days points to a clinician', () => {
    let user = respond(active(), input('pain 8', hoursLater(20))).user!;
    const answers: [number, number][] = [
      [1, 8],
      [2, 8],
      [3, 8],
    ];
    let reply: string | null = null;
    for (const [day, score] of answers) {
      const u = understand(String(score), { painCheckOpen: true });
      expect(u.intent).toEqual({ kind: 'score' });
      expect(u.entities.score).toBe(score);
      const d = respond(user, input(String(score), new Date(hoursLater(20).getTime() + day * 86_400_000)), u);
      reply = d.text;
      user = d.user!;
    }
    expect(reply).toBe(render(SMS.painSeeClinician, { score: 8, days: 3 }));
    expect(user.painTrack).toBeNull();
  });

  it('a falling score closes the track with encouragement', () => {
    const user = respond(active(), input('pain 8', hoursLater(20))).user!;
    const d = respond(user, input('3/10', hoursLater(44)));
    expect(d.text).toBe(render(SMS.painEasing, { score: 3 }));
    expect(d.cancelSeries).toEqual([user.painTrack!.id]);
  });

  it('a bare number with no open pain check-in is read as a pain score', () => {
    const d = respond(active(), input('5', hoursLater(10)));
    expect(d.text).toBe(SMS.painEarly);
    expect(d.painReport).toMatchObject({ score: 5 });
  });
});

describe('respond: STOP, START, HELP, STATUS, HISTORY, TZ, unknown', () => {
  it('STOP opts out, cancels pending follow-ups and records consent', () => {
    const d = respond(active(), input('STOP'));
    expect(d.text).toBe(SMS.stopped);
    expect(d.user).toMatchObject({ status: 'opted_out', version: 4 });
    expect(d.cancelChannel).toEqual({ channel: 'sms', series: ['old'] });
    expect(d.consent).toMatchObject({ action: 'opt-out', via: 'keyword', text: 'STOP' });
  });

  it('START re-enrols an opted-out number', () => {
    const d = respond(active({ status: 'opted_out' }), input('start'));
    expect(d.text).toBe(SMS.started);
    expect(d.user).toMatchObject({ status: 'active' });
    expect(d.consent).toMatchObject({ action: 'opt-in' });
  });

  it('HELP is answered even after STOP', () => {
    expect(respond(active({ status: 'opted_out' }), input('HELP')).text).toBe(SMS.help);
  });

  it('STATUS names the next text and when, in local time', () => {
    const pending = [
      { stepId: 'mobility-1', dueAt: '2026-03-05T14:00:00.000Z' },
      { stepId: 'heat', dueAt: '2026-03-04T23:00:00.000Z' },
    ];
    expect(respond(active(), input('STATUS', legDay, { pending })).text).toBe('Next: heat, Wed 18:00.');
    // The plan is over (the next leg day has passed): nothing scheduled.
    expect(respond(active(), input('next', new Date(legDay.getTime() + 14 * 86_400_000), { pending: [] })).text).toBe(SMS.statusNone);
  });

  it('STATUS after the follow-ups were called off (a warning sign) says they are on hold and how to undo it, not "nothing scheduled"', () => {
    const user = active();
    const flagged = respond(user, input('my left foot has been numb since deadlifts', new Date(legDay.getTime() + 3_600_000)));
    expect(flagged.redFlag).not.toBeNull();
    const asked = respond(flagged.user ?? user, input('status', new Date(legDay.getTime() + 2 * 3_600_000), { pending: [] }));
    expect(asked.text).toBe(SMS.statusHeld);
    expect(asked.text).toMatch(/MISREAD/);
  });

  it('HISTORY lists recent leg days with lifts and pain scores in one short text', () => {
    const user = active({
      recent: [
        { id: 'b', at: '2026-03-09T23:00:00.000Z', lifts: [{ lift: 'squat', weight: 150, unit: 'kg' }], pain: [7, 4] },
        { id: 'a', at: '2026-03-02T23:00:00.000Z', lifts: [], pain: [] },
      ],
    });
    expect(respond(user, input('history')).text).toBe('Your leg days: Mon 9 Mar squat 150kg (pain 7,4); Mon 2 Mar. Text PAIN 0-10 any time.');
  });

  it('TZ sets the zone and moves pending follow-ups; an unknown zone lists examples', () => {
    const d = respond(active(), input('TZ America/Los_Angeles', hoursLater(1)));
    expect(d.text).toBe(render(SMS.tzSet, { zone: 'America/Los_Angeles' }));
    expect(d.user?.timezone).toBe('America/Los_Angeles');
    const ice1 = d.reschedule.find((r) => r.stepId === 'ice-1')!;
    // 09:00 the next morning in Los Angeles, plus the same spread offset the New York plan had.
    expect(ice1.dueAt.getTime()).toBe(Date.parse('2026-03-03T17:00:00.000Z') + spreadOffsetMs(phone));
    expect(respond(active(), input('TZ Mars/Olympus')).text).toBe(SMS.tzUnknown);
  });

  it('unknown texts get a hint; after STOP, silence', () => {
    expect(respond(active(), input('purple monkey dishwasher')).text).toBe(SMS.unknownRecent);
    expect(respond(active({ recent: [] }), input('purple monkey dishwasher')).text).toBe(SMS.unknown);
    expect(respond(active({ status: 'opted_out' }), input('hello?')).text).toBeNull();
  });
});
