import { afterEach, describe, expect, it } from 'vitest';
import { SMS, STEP_TEXT, LOAD_TEXT, render } from '../../src/content/index.ts';
import { localClock } from '../../src/core/local-time.ts';
import { spreadOffsetMs } from '../../src/core/plan.ts';
import { nonGsm7Chars, segmentCount } from '../../src/core/segments.ts';
import type { MemoryStack } from '../../src/local/stack.ts';
import { LEG_DAY, advance, outbox, startMemoryStack, text } from '../support/stack.ts';

/**
 * Walks through the dev surface only, the way the issues describe them: texts in, the clock moved
 * an hour at a time with one sweep per hour (as the every-minute schedule would), texts out.
 */
let stack: MemoryStack | undefined;
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

/** `at` is the hourly sweep that sent it; `sentAt` the moment it went (its due time, on the dev clock). */
type Sent = { hour: number; stepId: string; at: string; sentAt: string; body: string };
/** A planned instant plus this number's own spread offset (0..30 minutes). */
const spread = (phone: string, planned: string) => new Date(Date.parse(planned) + spreadOffsetMs(phone)).toISOString();
async function walkHours(s: MemoryStack, hours: number, onHour?: (hour: number) => Promise<void>): Promise<Sent[]> {
  const out: Sent[] = [];
  for (let hour = 1; hour <= hours; hour++) {
    const { sent, now } = await advance(s, 60);
    for (const m of sent) out.push({ hour, stepId: m.stepId, at: now, sentAt: m.sentAt, body: m.body });
    await onHour?.(hour);
  }
  return out;
}

function expectCheapSms(bodies: string[]) {
  for (const body of bodies) {
    expect(nonGsm7Chars(body), body).toEqual([]);
    expect(segmentCount(body), body).toBeLessThanOrEqual(2);
  }
}

describe('a full leg-day cycle (US number, DEFAULT_TIMEZONE America/New_York)', () => {
  it('acknowledges, then sends ice inside 48 h, heat after, mobility, and pre-leg-day advice, each once', async () => {
    stack = await startMemoryStack();
    const s = stack;
    const phone = '+15551234567';
    expect(await text(s, phone, 'legs done')).toBe(SMS.checkinFirst);

    let painEarly: string | null = null;
    let painLate: string | null = null;
    let status: string | null = null;
    const sent = await walkHours(s, 8 * 24, async (hour) => {
      if (hour === 30) painEarly = await text(s, phone, 'pain');
      if (hour === 60) painLate = await text(s, phone, 'my back is in pain');
      if (hour === 50) status = await text(s, phone, 'STATUS');
    });

    expect(sent.map((m) => m.stepId)).toEqual(['ice-1', 'ice-2', 'heat', 'mobility-1', 'mobility-2', 'pre-leg-day']);
    const at = Object.fromEntries(sent.map((m) => [m.stepId, m.hour]));
    expect(at['ice-2']).toBeLessThan(48);
    expect(at['heat']).toBeGreaterThanOrEqual(48);
    expect(at['mobility-2']).toBeLessThanOrEqual(4 * 24);
    expect(at['pre-leg-day']).toBeGreaterThan(6 * 24);
    expect(at['pre-leg-day']).toBeLessThan(7 * 24);
    for (const m of sent) {
      const clock = localClock(new Date(m.at), 'America/New_York');
      expect(clock >= '08:00' && clock < '20:00', `${m.stepId} at ${clock}`).toBe(true);
    }

    expect(painEarly).toBe(SMS.painEarly);
    expect(painLate).toBe(SMS.painLate);
    // Hour 50 is Wed 15:00 in New York; heat goes at 18:00 plus this number's spread offset.
    expect(status).toBe(`Next: heat, Wed 18:${String(spreadOffsetMs(phone) / 60_000).padStart(2, '0')}.`);

    const messages = await outbox(s, phone);
    expect(messages.map((m) => m.body)).toContain(STEP_TEXT['heat']);
    expect(messages.filter((m) => m.body === STEP_TEXT['heat'])).toHaveLength(1);
    expectCheapSms(messages.map((m) => m.body));
  });

  it('after STOP nothing more is sent, even for a leg day already scheduled', async () => {
    stack = await startMemoryStack();
    const phone = '+15557654321';
    await text(stack, phone, 'legs done');
    await advance(stack, 20 * 60);
    expect(await text(stack, phone, 'STOP')).toBe(SMS.stopped);
    const before = (await outbox(stack, phone)).length;
    for (let day = 0; day < 8; day++) await advance(stack, 24 * 60);
    expect(await text(stack, phone, 'legs done')).toBeNull();
    await advance(stack, 8 * 24 * 60);
    expect(await outbox(stack, phone)).toHaveLength(before);
  });
});

describe('the coach: zones, sending hours, loads', () => {
  it('a +44 number gets every text between 08:00 and 20:00 London time, across the spring DST change', async () => {
    // Friday 27 March 2026, 21:30 GMT; the clocks go forward on Sunday the 29th.
    stack = await startMemoryStack({}, new Date('2026-03-27T21:30:00Z'));
    const phone = '+447700900123';
    await text(stack, phone, 'legs done');
    const sent = await walkHours(stack, 8 * 24);
    expect(sent.map((m) => m.stepId)).toEqual(['ice-1', 'ice-2', 'heat', 'mobility-1', 'mobility-2', 'pre-leg-day']);
    for (const m of sent) {
      const clock = localClock(new Date(m.at), 'Europe/London');
      expect(clock >= '08:00' && clock < '20:00', `${m.stepId} at ${m.at} (${clock} London)`).toBe(true);
    }
    // Heat waits out 48 h (Sun 21:30 GMT+1, too late), so it goes at Monday's first sweep after
    // 08:00 BST, which is 07:00 UTC now that the clocks have gone forward.
    expect(sent.find((m) => m.stepId === 'heat')).toMatchObject({ at: '2026-03-30T07:30:00.000Z' });
    expectCheapSms(sent.map((m) => m.body));
  });

  it('and across the autumn change', async () => {
    stack = await startMemoryStack({}, new Date('2026-10-23T17:00:00Z'));
    const phone = '+447700900124';
    await text(stack, phone, 'legs done');
    const sent = await walkHours(stack, 8 * 24);
    expect(sent).toHaveLength(6);
    for (const m of sent) {
      const clock = localClock(new Date(m.at), 'Europe/London');
      expect(clock >= '08:00' && clock < '20:00', `${m.stepId} at ${clock}`).toBe(true);
    }
  });

  it('"TZ America/Los_Angeles" moves the later texts to Los Angeles hours', async () => {
    stack = await startMemoryStack({}, new Date('2026-03-02T18:00:00Z'));
    const phone = '+447700900125';
    await text(stack, phone, 'legs done');
    expect(await text(stack, phone, 'TZ America/Los_Angeles')).toBe(render(SMS.tzSet, { zone: 'America/Los_Angeles' }));
    const sent = await walkHours(stack, 8 * 24);
    expect(sent.map((m) => m.stepId)).toEqual(['ice-1', 'ice-2', 'heat', 'mobility-1', 'mobility-2', 'pre-leg-day']);
    for (const m of sent) {
      const clock = localClock(new Date(m.at), 'America/Los_Angeles');
      expect(clock >= '08:00' && clock < '20:00', `${m.stepId} at ${clock} LA`).toBe(true);
    }
    // 09:00 Tuesday in Los Angeles (17:00 UTC), not 09:00 in London; plus the number's spread offset.
    expect(sent[0]!.sentAt).toBe(spread(phone, '2026-03-03T17:00:00.000Z'));
  });

  it('red-flag texts get only the doctor reply, and the scheduled advice stops until MISREAD', async () => {
    stack = await startMemoryStack();
    const phone = '+15551110000';
    await text(stack, phone, 'legs done');
    for (const t of ['pain and my legs are numb', 'back pain, cant feel my foot']) {
      expect(await text(stack, phone, t)).toMatch(/^Get that checked by a doctor soon: you mentioned numbness or tingling down a leg\./);
    }
    expect(await text(stack, phone, 'fell on the ice, pain 9')).toMatch(/^That needs medical help now, not stretches: you mentioned back pain after a fall or a blow\./);
    // Nothing scheduled is sent while the warning stands.
    expect((await walkHours(stack, 24)).length).toBe(0);
    const sorry = await text(stack, phone, 'misread');
    expect(sorry).toMatch(/^Sorry, my mistake\./);
    expect((await walkHours(stack, 48)).length).toBeGreaterThan(0);
  });

  it('"legs done squat 140" and a week later the warm-up text names 154 as the cap', async () => {
    stack = await startMemoryStack({}, new Date('2026-03-02T18:00:00Z'));
    const phone = '+447700900126';
    await text(stack, phone, 'legs done squat 140');
    const sent = await walkHours(stack, 7 * 24);
    const prep = sent.find((m) => m.stepId === 'pre-leg-day')!;
    expect(prep.body).toContain(render(LOAD_TEXT.caps, { caps: 'squat 154kg' }));
    // 08:00 London (GMT) on the next leg day, plus the number's spread offset.
    expect(prep.sentAt).toBe(spread(phone, '2026-03-09T08:00:00.000Z'));
  });

  it('a check-in after a three-week gap gets deload advice with the numbers', async () => {
    stack = await startMemoryStack({}, new Date('2026-03-02T18:00:00Z'));
    const phone = '+447700900127';
    await text(stack, phone, 'legs done squat 140kg deadlift 180kg');
    await advance(stack, 21 * 24 * 60);
    const reply = await text(stack, phone, 'legs done');
    expect(reply).toBe(render(SMS.checkinAfterBreak, { weeks: 3, deload: 'squat 98-112kg, deadlift 126-144kg' }));
    expectCheapSms([reply!]);
  });

  it('a pain score of 7+ gets a gentler plan and a check-in next morning whose answer is recorded', async () => {
    stack = await startMemoryStack({}, new Date('2026-03-02T18:00:00Z'));
    const phone = '+447700900128';
    await text(stack, phone, 'legs done');
    await advance(stack, 3 * 60);
    expect(await text(stack, phone, 'pain 8')).toBe(render(SMS.painHigh, { score: 8, iceOrHeat: SMS.painIce }));
    const sent = await walkHours(stack, 24);
    const check = sent.find((m) => m.stepId.startsWith('pain-check'))!;
    expect(check.body).toBe(STEP_TEXT['pain-check']);
    // 09:00 London (GMT) the next morning, plus the same offset as the rest of the number's texts.
    expect(check.sentAt).toBe(spread(phone, '2026-03-03T09:00:00.000Z'));
    expect(await text(stack, phone, '6')).toBe(render(SMS.painNoted, { score: 6, iceOrHeat: SMS.painIce }));
    expect(await text(stack, phone, 'history')).toMatch(/pain 8,6/);
  });
});
