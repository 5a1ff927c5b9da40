import { describe, expect, it } from 'vitest';
import { DISCLOSURE, SMS, render } from '../../src/content/index.ts';
import { respond as decide } from '../../src/core/respond.ts';
import { wordSms, wordStepSms } from '../../src/core/channel.ts';
import { active, hoursLater, input, legDay, phone } from '../support/lifter.ts';
import { spreadOffsetMs } from '../../src/core/plan.ts';
import { nonGsm7Chars, segmentCount } from '../../src/core/segments.ts';

/** The decision, with its reply worded as a text (as the webhook sends it). */
const respond = (...args: Parameters<typeof decide>) => {
  const d = decide(...args);
  return { ...d, text: wordSms(d) };
};

const noExercise = /90\/90|foam|dead hang|knees-to-chest|walk|swim|\bice\b|\bheat\b|mobility|warm up/i;

describe('triage comes before everything else', () => {
  it('a check-in with a symptom is logged, but gets the doctor reply and no exercise plan', () => {
    const d = respond(active(), input('legs done, fever', hoursLater(48)));
    expect(d.text).toBe(render(SMS.redFlagSoon, { noticed: 'fever, chills or night sweats' }));
    expect(d.text).not.toMatch(noExercise);
    expect(d.checkin).toMatchObject({ text: 'legs done, fever' });
    expect(d.reminders).toEqual([]);
    expect(d.redFlag).toMatchObject({ tier: 'soon', signs: ['fever'], checkinId: d.checkin!.id });
    expect(d.cancelSeries).toEqual(['old']);
  });

  it('an emergency sign gets the emergency reply, whatever intent it came with', () => {
    for (const text of ['peeing myself since squats', 'my left foot is dragging and my back hurts', 'how long should I ice? bar slipped and hit my lower back']) {
      const d = respond(active(), input(text, hoursLater(20)));
      expect(d.reply?.key, text).toBe('redFlagEmergency');
      expect(d.text).not.toMatch(noExercise);
    }
  });

  it('a reply to the pain check with a symptom is a red flag, and the score is kept', () => {
    const user = active({ painTrack: { id: 'pain-1', startedAt: legDay.toISOString(), scores: [8] } });
    const d = respond(user, input('6 and numb', hoursLater(40)));
    expect(d.reply?.key).toBe('redFlagSoon');
    expect(d.painReport).toMatchObject({ score: 6 });
    expect(d.user?.painTrack).toBeNull();
    expect(d.cancelSeries).toContain('pain-1');
  });

  it('negations and figures of speech are ordinary soreness', () => {
    for (const text of ['back sore but no numbness or tingling', 'lower back ache, no fever', 'severe DOMS lol', 'cant walk lol']) {
      const d = respond(active(), input(text, hoursLater(20)));
      expect(d.reply?.key, text).toBe('painEarly');
    }
  });

  it('STOP with a symptom still opts out, and urges a doctor in the same text', () => {
    const d = respond(active(), input('stop texting me, cant feel my legs'));
    expect(d.user?.status).toBe('opted_out');
    expect(d.reply?.key).toBe('stoppedRedFlag');
  });

  it('MISREAD gets the care steps and the plan back', () => {
    const d = respond(active(), input('misread', hoursLater(20)));
    expect(d.text).toBe(render(SMS.misread, { care: SMS.painEarly }));
    expect(d.reminders.map((r) => r.stepId)).toContain('heat');
    expect(d.reminders.every((r) => r.dueAt > hoursLater(20))).toBe(true);
  });
});

describe('check-ins as people send them', () => {
  it('"legs done yesterday" dates the plan from yesterday and schedules only what is still ahead', () => {
    const d = respond(active(), input('legs done yesterday', hoursLater(7 * 24)));
    expect(d.checkin?.at).toBe(hoursLater(6 * 24).toISOString());
    expect(d.reminders.map((r) => r.stepId)).not.toContain('ice-1');
    expect(d.reminders.every((r) => r.dueAt >= hoursLater(7 * 24))).toBe(true);
    expect(d.reply?.key).toBe('checkinBackdated');
  });

  it('"did legs yesterday, limping today" after today\'s check-in is about that session, not a new one', () => {
    const d = respond(active(), input('ok so i did legs yesterday but today im limping lol', hoursLater(20)));
    expect(d.checkin).toBeNull();
    expect(d.cancelSeries).toEqual([]);
    expect(d.reply?.key).toBe('painEarly');
  });

  it('a score of 7+ in a check-in starts the high-pain plan and tomorrow morning\'s check', () => {
    const d = respond(active(), input('legs done back pain 8/10', hoursLater(7 * 24)));
    expect(d.user?.painTrack).toMatchObject({ scores: [8] });
    expect(d.reminders.map((r) => r.stepId)).toContain('pain-check-1');
    expect(d.text).toMatch(/^Leg day logged\. 8\/10 is a lot/);
  });

  it('"leg day today" before training is not a check-in', () => {
    const d = respond(active(), input('leg day today'));
    expect(d.reply?.key).toBe('upcoming');
    expect(d.checkin).toBeNull();
  });

  it('"leg day today" after weeks away gets the deload before the session, with the numbers when lifts were logged', () => {
    const lifted = active({ recent: [{ id: 'old', at: legDay.toISOString(), lifts: [{ lift: 'squat', weight: 140, unit: 'kg' }], pain: [] }] });
    expect(respond(lifted, input('leg day today', hoursLater(21 * 24))).text).toBe(
      render(SMS.upcomingAfterBreak, { weeks: 3, deload: ': squat 98-112kg' }),
    );
    expect(respond(active(), input('leg day today', hoursLater(21 * 24))).text).toBe(render(SMS.upcomingAfterBreak, { weeks: 3, deload: '' }));
  });

  it('after a break with no lifts logged, deload advice all the same, and the warm-up text repeats it', () => {
    const d = respond(active(), input('legs done', hoursLater(21 * 24)));
    expect(d.reply).toEqual({ key: 'checkinAfterBreakNoLifts', vars: { weeks: 3 } });
    const warmUp = d.reminders.find((r) => r.stepId === 'pre-leg-day' && r.channel === 'sms')!;
    expect(wordStepSms(warmUp)).toMatch(/20-30% lighter/);
    expect(wordStepSms(warmUp)).not.toMatch(/10%/);
  });
});

describe('the first message a number ever gets carries the disclosures', () => {
  it.each(['pain', 'thanks', 'ice or heat?', 'hello', 'TZ London', 'purple monkey dishwasher'])('%j', (text) => {
    const reply = respond(null, input(text)).text!;
    expect(reply.endsWith(DISCLOSURE)).toBe(true);
    expect(nonGsm7Chars(reply)).toEqual([]);
    expect(segmentCount(reply)).toBeLessThanOrEqual(3);
  });

  it('once, not again, and not on top of the first check-in\'s own', () => {
    expect(respond(active(), input('pain')).text).not.toContain(DISCLOSURE);
    expect(respond(null, input('legs done')).text).toBe(SMS.checkinFirst);
  });
});

describe('questions are answered from the lifter\'s own state', () => {
  it('ice or heat depends on the hours since leg day, and never says heat inside 48 h', () => {
    expect(respond(active(), input('ice or heat?', hoursLater(20))).text).toBe(render(SMS.answerIce, { heatAt: 'Wed 18:00' }));
    expect(respond(active(), input('ice or heat?', hoursLater(60))).text).toBe(SMS.answerHeat);
  });

  it('a pain score inside 48 h is answered without heat', () => {
    const user = active({ painTrack: { id: 'pain-1', startedAt: legDay.toISOString(), scores: [8] } });
    const d = respond(user, input('6', hoursLater(15)));
    expect(d.text).toBe(render(SMS.painNoted, { score: 6, iceOrHeat: SMS.painIce }));
    expect(d.text).not.toMatch(/heat/i);
  });

  it('how long to ice, bracing, stretching, training again', () => {
    expect(respond(active(), input('how long should I ice', hoursLater(10))).reply?.key).toBe('answerIceDuration');
    expect(respond(active(), input('how do I brace?')).text).toMatch(/as if about to be punched/);
    expect(respond(active(), input('is it ok to stretch?')).reply?.key).toBe('answerStretching');
    expect(respond(active(), input('can I train tomorrow?', hoursLater(20))).text).toBe(render(SMS.answerTrain, { next: 'Mon 9 Mar' }));
    const sore = active({ recent: [{ id: 'old', at: legDay.toISOString(), lifts: [], pain: [8] }] });
    expect(respond(sore, input('can I train tomorrow?')).text).toBe(render(SMS.answerTrainSore, { score: 8 }));
  });
});

describe('small talk, pause, resume, skipped', () => {
  it('thanks gets a short word back; ok and 👍 get nothing', () => {
    expect(respond(active(), input('thanks')).text).toBe(SMS.smallThanks);
    expect(respond(active(), input('ok')).text).toBeNull();
    expect(respond(active(), input('👍')).text).toBeNull();
  });

  it('"going on holiday, pause the texts for 2 weeks" cancels what is pending until then, and STATUS says so', () => {
    const d = respond(active(), input('going on holiday, pause the texts for 2 weeks', hoursLater(1)));
    expect(d.user?.pause?.until).toBe('2026-03-16T12:00:00.000Z');
    expect(d.cancelSeries).toEqual(['old']);
    expect(d.text).toBe(render(SMS.paused, { until: 'Mon 16 Mar' }));
    expect(respond(d.user, input('status', hoursLater(2), { pending: [] })).text).toBe(render(SMS.statusPaused, { until: 'Mon 16 Mar' }));
  });

  it('"pause" alone is a week; RESUME plans again what is still ahead; a new check-in ends the pause', () => {
    const paused = respond(active(), input('pause', hoursLater(1))).user!;
    expect(paused.pause?.until).toBe('2026-03-09T12:00:00.000Z');
    const back = respond(paused, input('resume', hoursLater(30)));
    expect(back.user?.pause).toBeNull();
    expect(back.reminders.map((r) => r.stepId)).toEqual(['heat', 'mobility-1', 'mobility-2', 'pre-leg-day']);
    expect(respond(paused, input('legs done', hoursLater(30))).user?.pause).toBeNull();
  });

  it('RESUME after two weeks away says to go lighter first', () => {
    const paused = respond(active(), input('pause for 3 weeks', hoursLater(1))).user!;
    expect(respond(paused, input('resume', hoursLater(15 * 24))).reply?.key).toBe('resumedAfterBreak');
  });

  it('"skipped leg day" moves the warm-up text to tomorrow morning', () => {
    // Monday 9 March, 12:00 New York: the warm-up text went at 08:00.
    // 08:00 the next morning plus this lifter's own spread offset (0..30 min), which the move keeps.
    const spread = spreadOffsetMs(phone);
    const d = respond(active(), input('skipped leg day', new Date('2026-03-09T16:00:00Z')));
    expect(d.reminders).toEqual([expect.objectContaining({ stepId: 'pre-leg-day-2', dueAt: new Date(Date.parse('2026-03-10T12:00:00Z') + spread) })]);
    expect(d.text).toBe(render(SMS.skippedMoved, { when: `Tue 8:${String(spread / 60_000).padStart(2, '0')}` }));
    // Before it went, the pending one moves instead.
    const early = respond(active(), input('skipping legs today, moving it to wednesday', new Date('2026-03-05T16:00:00Z')));
    expect(early.reschedule).toEqual([expect.objectContaining({ stepId: 'pre-leg-day', dueAt: new Date(Date.parse('2026-03-11T12:00:00Z') + spread) })]);
  });

  it('a fallback that fits the moment', () => {
    const checking = active({ painTrack: { id: 'pain-1', startedAt: legDay.toISOString(), scores: [8] } });
    expect(respond(checking, input('purple monkey dishwasher')).text).toBe(SMS.unknownPainCheck);
  });
});
