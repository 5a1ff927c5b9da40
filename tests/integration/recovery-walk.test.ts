import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SMS, type StepId } from '../../src/content/messages.ts';
import type { LocalStack } from '../../src/local/stack.ts';
import { segmentCount } from '../../src/core/segments.ts';
import { LEG_DAY, advance, outbox, startTestStack, text } from '../support/stack.ts';

/**
 * The "done when" walk, through the dev surface only: a leg day, then the clock moved an
 * hour at a time for eight days, one sweep per hour, as the every-minute schedule would.
 */
let stack: LocalStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(() => stack?.stop());

const hoursSince = (iso: string) => (new Date(iso).getTime() - LEG_DAY.getTime()) / 3_600_000;

describe('a full leg-day cycle over /dev/sms and /dev/clock', () => {
  it('acknowledges, then sends ice inside 48 h, heat after, mobility, and pre-leg-day advice, each once', async () => {
    const phone = '+15551234567';
    expect(await text(stack, phone, 'legs done')).toBe(SMS.checkinFirst);

    const received: { hour: number; stepId: string }[] = [];
    let painEarly: string | null = null;
    let painLate: string | null = null;
    for (let hour = 1; hour <= 8 * 24; hour++) {
      const { sent, now } = await advance(stack, 60);
      expect(hoursSince(now)).toBe(hour);
      for (const s of sent) received.push({ hour, stepId: s.stepId });
      if (hour === 30) painEarly = await text(stack, phone, 'pain');
      if (hour === 60) painLate = await text(stack, phone, 'PAIN 7');
    }

    const order: StepId[] = ['ice-1', 'ice-2', 'heat', 'mobility-1', 'mobility-2', 'pre-leg-day'];
    expect(received.map((r) => r.stepId)).toEqual(order);
    const at = Object.fromEntries(received.map((r) => [r.stepId, r.hour]));
    expect(at['ice-1']).toBeLessThan(48);
    expect(at['ice-2']).toBeLessThan(48);
    expect(at['heat']).toBeGreaterThanOrEqual(48);
    expect(at['mobility-1']).toBeGreaterThanOrEqual(48);
    expect(at['mobility-2']).toBeLessThanOrEqual(4 * 24);
    expect(at['pre-leg-day']).toBeGreaterThan(6 * 24);
    expect(at['pre-leg-day']).toBeLessThan(7 * 24);

    expect(painEarly).toBe(SMS.painEarly);
    expect(painEarly).toMatch(/ice/i);
    expect(painLate).toBe(SMS.painLate);
    expect(painLate).toMatch(/heat/i);

    // The outbox holds the replies and the scheduled texts, oldest first, all short and GSM-7.
    const messages = await outbox(stack, phone);
    expect(messages.map((m) => m.body)).toEqual([
      SMS.checkinFirst,
      SMS.steps['ice-1'],
      SMS.painEarly,
      SMS.steps['ice-2'],
      SMS.steps['heat'],
      SMS.painLate,
      SMS.steps['mobility-1'],
      SMS.steps['mobility-2'],
      SMS.steps['pre-leg-day'],
    ]);
    for (const m of messages) expect(segmentCount(m.body)).toBeLessThanOrEqual(2);
  });

  it('after STOP nothing more is sent, even for a leg day already scheduled', async () => {
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
