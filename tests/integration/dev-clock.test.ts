import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatWhen, localClock } from '../../src/core/local-time.ts';
import { spreadOffsetMs } from '../../src/core/plan.ts';
import { PLAN } from '../../src/content/index.ts';
import type { LocalStack } from '../../src/local/stack.ts';
import { STEP_TEXT, stepLabel } from '../../src/content/index.ts';
import { textOf } from '../support/reminders.ts';
import { advance, itemsOf, outbox, post, startTestStack, text } from '../support/stack.ts';

/**
 * POST /dev/clock flows as production time does: each scheduled text goes at its own moment, one
 * long jump delivers what many short ones do, and `outage` shows what a sweeper that was down
 * sends when it comes back: only what is still right, and never a burst.
 */
const HOUR = 3_600_000;
const NY = 'America/New_York';
/** Monday 2 March 2026, 18:30 in New York: "legs done" in the evening. */
const EVENING = new Date('2026-03-02T23:30:00.000Z');

const stacks: LocalStack[] = [];
const fresh = async (start = EVENING) => {
  const s = await startTestStack({}, start);
  stacks.push(s);
  return s;
};
afterAll(async () => {
  await Promise.all(stacks.map((s) => s.stop()));
});

const scheduled = async (stack: LocalStack, phone: string) => {
  const items = await itemsOf(stack, phone);
  const sentSteps = new Map(items.filter((i) => i.type === 'reminder' && i.status === 'sent').map((i) => [textOf(i), i]));
  return (await outbox(stack, phone)).filter((m) => sentSteps.has(m.body));
};

/** No two scheduled texts to one person within an hour. */
const expectNoBurst = (sentAts: string[]) => {
  const ts = sentAts.map(Date.parse).sort((a, b) => a - b);
  for (let i = 1; i < ts.length; i++) expect(ts[i]! - ts[i - 1]!, `texts at ${sentAts.join(', ')}`).toBeGreaterThanOrEqual(HOUR);
};

describe('POST /dev/clock', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await fresh();
  });

  it('the issue\'s walk: "legs done" in the evening, then "+1 day" three times: each day brings that day\'s texts, each at its own time, nothing stale', async () => {
    const phone = '+15552000001';
    await text(stack, phone, 'legs done');
    // Each at its planned time plus this number's own spread offset (0..30 minutes).
    const at = (iso: string) => new Date(Date.parse(iso) + spreadOffsetMs(phone)).toISOString();
    // The days are counted from 18:30 plus the spread, so heat (48 h after 18:30, plus the offset)
    // falls inside the day it belongs to rather than a few minutes into the next.
    expect((await advance(stack, PLAN.spreadMinutes)).sent).toEqual([]);
    const day1 = await advance(stack, 1440);
    expect(day1.sent.map((s) => [s.stepId, s.sentAt])).toEqual([
      ['ice-1', at('2026-03-03T14:00:00.000Z')], // 09:00 Tuesday
      ['ice-2', at('2026-03-03T23:00:00.000Z')], // 18:00
    ]);
    const day2 = await advance(stack, 1440);
    // 48 h after 18:30 Monday: heat from 18:30 Wednesday, the moment the ice window closes.
    expect(day2.sent.map((s) => [s.stepId, s.sentAt])).toEqual([['heat', at('2026-03-04T23:30:00.000Z')]]);
    const day3 = await advance(stack, 1440);
    expect(day3.sent.map((s) => [s.stepId, s.sentAt])).toEqual([['mobility-1', at('2026-03-05T14:00:00.000Z')]]); // 09:00 Thursday
    // /dev/outbox shows each at its own time, never two in the same minute.
    const texts = await scheduled(stack, phone);
    expect(texts.map((m) => m.body)).toEqual(['ice-1', 'ice-2', 'heat', 'mobility-1'].map((id) => STEP_TEXT[id]));
    expectNoBurst(texts.map((m) => m.sentAt));
  });

  it('one call of 8 days delivers exactly what 192 one-hour calls deliver, at the same times', async () => {
    const [one, many] = await Promise.all([fresh(), fresh()]);
    const phone = '+15552000002';
    await text(one, phone, 'legs done');
    await text(many, phone, 'legs done');
    const jump = await advance(one, 8 * 1440);
    const steps: { stepId: string; sentAt: string }[] = [];
    for (let i = 0; i < 192; i++) steps.push(...(await advance(many, 60)).sent);
    const shape = (xs: { stepId: string; sentAt: string }[]) => xs.map((s) => `${s.stepId}@${s.sentAt}`);
    expect(shape(jump.sent)).toEqual(shape(steps));
    expect(jump.sent.map((s) => s.stepId)).toEqual(['ice-1', 'ice-2', 'heat', 'mobility-1', 'mobility-2', 'pre-leg-day']);
    expect((await outbox(one, phone)).map((m) => [m.body, m.sentAt])).toEqual((await outbox(many, phone)).map((m) => [m.body, m.sentAt]));
    expect(jump.now).toBe(new Date(EVENING.getTime() + 8 * 24 * HOUR).toISOString());
  });

  it('across a spring-forward night, every text goes at its planned local time, inside 08:00-20:00 and its window', async () => {
    // Friday 6 March 2026, 23:30 in New York; clocks go forward early on Sunday 8 March.
    const s = await fresh(new Date('2026-03-07T04:30:00.000Z'));
    const phone = '+15552000003';
    await text(s, phone, 'legs done');
    const { sent } = await advance(s, 8 * 1440);
    const items = await itemsOf(s, phone);
    for (const m of sent) {
      const clock = localClock(new Date(m.sentAt), NY);
      expect(clock >= '08:00' && clock < '20:00', `${m.stepId} at ${clock}`).toBe(true);
      const item = items.find((i) => i.stepId === m.stepId)!;
      expect(m.sentAt).toBe(item.dueAt);
      expect(m.sentAt < String(item.validUntil)).toBe(true);
      expect(item.lateSeconds).toBe(0);
    }
    // Heat waits out 48 h: Sunday 23:30 is outside sending hours, so Monday 08:00 (EDT now) plus
    // this number's spread offset, before mobility at 09:00 plus the same offset.
    expect(sent.find((m) => m.stepId === 'heat')!.sentAt).toBe(new Date(Date.parse('2026-03-09T12:00:00.000Z') + spreadOffsetMs(phone)).toISOString());
    expectNoBurst(sent.map((m) => m.sentAt));
  });

  it('refuses bad input with a 400 and a reason', async () => {
    for (const body of [{ advanceMinutes: -1 }, { advanceMinutes: 1.5 }, { advanceMinutes: 60, outage: 'yes' }, {}]) {
      const res = await post<{ error: string }>(stack, '/dev/clock', body);
      expect(res.status).toBe(400);
      expect(res.json.error).toMatch(/advanceMinutes/);
    }
  });
});

describe('POST /dev/clock with "outage": true (the sweeper was down)', () => {
  it('3.5 days down after an evening leg day: the ice texts expire, and what comes back is one current text, not a burst of stale ones', async () => {
    const stack = await fresh();
    const phone = '+15552000010';
    await text(stack, phone, 'legs done');
    // Back on Friday 06:30 New York: outside sending hours, so nothing goes at once.
    const back = await advance(stack, 3.5 * 1440, { outage: true });
    expect(back.sent).toEqual([]);
    const items = await itemsOf(stack, phone);
    const status = (id: string) => items.find((i) => i.type === 'reminder' && i.stepId === id)?.status;
    expect([status('ice-1'), status('ice-2'), status('heat')]).toEqual(['expired', 'expired', 'expired']);
    // Both mobility texts are due by Friday 09:00 plus the spread and still right: the more current one first, the other an hour later.
    const morning = await advance(stack, 150 + PLAN.spreadMinutes, { outage: true });
    expect(morning.sent.map((s) => s.stepId)).toEqual(['mobility-2']);
    const later = await advance(stack, 60);
    expect(later.sent.map((s) => s.stepId)).toEqual(['mobility-1']);
    expect(Date.parse(later.sent[0]!.sentAt) - Date.parse(morning.sent[0]!.sentAt)).toBe(HOUR);
    // Nothing stale ever went: no ice text after 48 h.
    const bodies = (await outbox(stack, phone)).map((m) => m.body);
    expect(bodies).not.toContain(STEP_TEXT['ice-1']);
    expect(bodies).not.toContain(STEP_TEXT['heat']);
    // Expired steps are on the timeline.
    const tl = (await (await fetch(stack.url + '/dev/timeline?to=' + encodeURIComponent(phone))).json()) as { reminders: { stepId: string; status: string }[] };
    expect(tl.reminders.filter((r) => r.status === 'expired').map((r) => r.stepId).sort()).toEqual(['heat', 'ice-1', 'ice-2']);
    expect(stack.metrics.totals.get('RemindersExpired')).toBeGreaterThanOrEqual(3);
    // Lateness is known and published: mobility-2 was due 09:00 Friday, mobility-1 on Thursday.
    expect(stack.metrics.totals.get('ReminderLatenessP99')).toBeGreaterThan(0);
  });

  it('a short outage over the ice texts: the one still inside its window goes once the sweeper is back, and the rest keep to one an hour', async () => {
    const stack = await fresh();
    const phone = '+15552000011';
    await text(stack, phone, 'legs done');
    // Down from Monday evening to Tuesday 19:00: ice-1 (09:00) and ice-2 (18:00) are both due, both still right.
    const back = await advance(stack, 1440 + 30, { outage: true });
    expect(back.sent.map((s) => s.stepId)).toEqual(['ice-2']);
    // ice-1 waits its hour, which lands at 20:00, outside sending hours; "the morning after" cannot wait for Wednesday: expired.
    await advance(stack, 1440);
    const items = await itemsOf(stack, phone);
    expect(items.find((i) => i.stepId === 'ice-1')?.status).toBe('expired');
    expectNoBurst((await scheduled(stack, phone)).map((m) => m.sentAt));
  });
});

describe('STATUS when sending has fallen behind', () => {
  it('never promises a time that has passed: overdue texts are not named, the next one still to come is', async () => {
    const stack = await fresh();
    const phone = '+15552000020';
    await text(stack, phone, 'legs done');
    // The sweeper is down (the clock moves, nothing is swept): by Tuesday 19:00 both ice texts are overdue.
    stack.clock.advance(1440 + 30);
    const reply = await text(stack, phone, 'STATUS');
    // Heat: 48 h after 18:30 Monday, plus this number's spread offset.
    expect(reply).toBe(`Next: ${stepLabel('heat')}, ${formatWhen(new Date(Date.parse('2026-03-04T23:30:00.000Z') + spreadOffsetMs(phone)), NY)}.`);
  });
});
