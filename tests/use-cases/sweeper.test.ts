import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTwilioSender } from '../../src/adapters/twilio/sender.ts';
import { LOCAL_SERVICE_NUMBER, LOCAL_TWILIO_ACCOUNT_SID, LOCAL_TWILIO_AUTH_TOKEN } from '../../src/config.ts';
import { wordStepSms } from '../../src/core/channel.ts';
import { planReminders, type NewReminder } from '../../src/core/plan.ts';
import { sendDueReminders } from '../../src/use-cases/send-due-reminders.ts';
import { respond } from '../../src/core/respond.ts';
import { nothing } from '../../src/core/decision.ts';
import type { MemoryStack } from '../../src/local/stack.ts';
import { LEG_DAY, postWebhook, smsParams, startMemoryStack, sweeperFor } from '../support/stack.ts';

const HOUR = 3_600_000;
// Test numbers are +1555: DEFAULT_TIMEZONE (America/New_York) applies.
const firstStep = planReminders({ channels: ['sms'], checkinId: 'x', checkinAt: LEG_DAY, zone: 'America/New_York', gapDays: 7, caps: null }).find(
  (r): r is NewReminder & { channel: 'sms' } => r.channel === 'sms',
)!;
/** Its words, as the sweeper words them when it sends. */
const firstText = wordStepSms(firstStep);
/** When a number's first text is due: the planned time plus that number's own spread offset. */
const dueFor = (phone: string) =>
  planReminders({ channels: ['sms'], checkinId: 'x', checkinAt: LEG_DAY, zone: 'America/New_York', gapDays: 7, caps: null, spreadKey: phone })[0]!.dueAt;
const ice2Due = (phone: string) =>
  planReminders({ channels: ['sms'], checkinId: 'x', checkinAt: LEG_DAY, zone: 'America/New_York', gapDays: 7, caps: null, spreadKey: phone })
    .find((r) => r.stepId === 'ice-2')!.dueAt.getTime();
/** The moment every one of these numbers' first texts is due. */
const allDue = (phones: string[]) => new Date(Math.max(...phones.map((p) => dueFor(p).getTime())));

let stack: MemoryStack;
let n = 0;
beforeAll(async () => {
  stack = await startMemoryStack();
});
afterAll(() => stack?.stop());
beforeEach(() => {
  stack.twilio!.fault = null;
  stack.twilio!.latencyMs = 0;
  stack.twilio!.delivery = null;
  stack.twilio!.reportDelivery = true;
});

/**
 * Runs `fn` with the stack's clock (which dates the stand-in's messages, as Twilio's would be) at
 * `at`, then puts it back, so later check-ins in this file still happen at LEG_DAY.
 */
async function at<T>(when: Date, fn: () => Promise<T>): Promise<T> {
  const minutes = (when.getTime() - stack.clock.now().getTime()) / 60_000;
  stack.clock.advance(minutes);
  try {
    return await fn();
  } finally {
    stack.clock.advance(-minutes);
  }
}

/** A fresh number that checked in at LEG_DAY (the stack's clock never moves in this file). */
async function checkedIn(): Promise<string> {
  const phone = `+1555${String(7000000 + ++n).padStart(7, '0')}`;
  const res = await postWebhook(stack, smsParams(phone, 'legs done'));
  expect(res.status).toBe(200);
  return phone;
}

const sweeper = (timeoutMs = 2000) => sweeperFor(stack, timeoutMs);

const sentTo = (phone: string) => stack.twilio!.messages.filter((m) => m.to === phone);
/**
 * A reminder as stored, with what the sweeper records on it (attempts, last error, provider id,
 * lateness; `dueKey` is its due-index key, absent once out of the index): no port reads those back,
 * so this is the memory store's view, which tests/contracts holds to the table's items.
 */
const reminder = async (phone: string, stepId: string) => stack.store.written(phone).reminders.find((r) => r.stepId === stepId)!;

describe('the sweeper', () => {
  it('sends nothing before a reminder is due, then sends it once with the plan wording', async () => {
    const phone = await checkedIn();
    const firstDue = dueFor(phone);
    const sweep = sweeper();
    await sweep(new Date(firstDue.getTime() - 60_000));
    expect(sentTo(phone)).toEqual([]);
    const result = await sweep(firstDue);
    expect(result.sent.filter((s) => s.to === phone)).toEqual([
      expect.objectContaining({ stepId: firstStep.stepId, body: firstText }),
    ]);
    await sweep(firstDue);
    expect(sentTo(phone).map((m) => m.body)).toEqual([firstText]);
    expect(await reminder(phone, firstStep.stepId)).toMatchObject({ status: 'sent', providerId: sentTo(phone)[0]!.sid });
    expect((await reminder(phone, firstStep.stepId)).dueKey).toBeUndefined();
  });

  it('eight sweepers racing over the same due reminders send each exactly once', async () => {
    const phones = await Promise.all(Array.from({ length: 40 }, () => checkedIn()));
    const sweeps = Array.from({ length: 8 }, () => sweeper());
    stack.twilio!.latencyMs = 5;
    // The claim race is the point: no delivery reports competing for this process's time with the
    // sends (under a full test run they pushed sends past the client's 2 s timeout).
    stack.twilio!.reportDelivery = false;
    await Promise.all(sweeps.map((s) => s(allDue(phones))));
    for (const phone of phones) expect(sentTo(phone)).toHaveLength(1);
  });

  it('a send that Twilio fails with a 500 is kept for a retry, not lost and not sent twice', async () => {
    const phone = await checkedIn();
    const firstDue = dueFor(phone);
    const sweep = sweeper();
    stack.twilio!.fault = (m) => (m.to === phone ? { status: 500, code: 20500, message: 'Internal Server Error' } : null);
    const failed = await sweep(firstDue);
    expect(failed.retrying).toBeGreaterThanOrEqual(1);
    expect(sentTo(phone)).toEqual([]);
    expect(await reminder(phone, firstStep.stepId)).toMatchObject({ status: 'pending', attempts: 1, lastError: expect.stringMatching(/transient/) });

    stack.twilio!.fault = null;
    // Not yet: the retry waits out its backoff.
    await sweep(firstDue);
    expect(sentTo(phone)).toEqual([]);
    await sweep(new Date(firstDue.getTime() + 2 * 60_000));
    await sweep(new Date(firstDue.getTime() + 3 * 60_000));
    expect(sentTo(phone)).toHaveLength(1);
    expect(await reminder(phone, firstStep.stepId)).toMatchObject({ status: 'sent', attempts: 2 });
  });

  it('a Twilio API that hangs past the timeout counts as a transient failure', async () => {
    const phone = await checkedIn();
    const firstDue = dueFor(phone);
    stack.twilio!.fault = (m) => (m.to === phone ? 'hang' : null);
    const result = await sweeper(300)(firstDue);
    expect(result.retrying).toBeGreaterThanOrEqual(1);
    expect(await reminder(phone, firstStep.stepId)).toMatchObject({ status: 'pending', attempts: 1 });
  });

  it('gives up after the last attempt and keeps the reason', async () => {
    const phone = await checkedIn();
    const firstDue = dueFor(phone);
    stack.twilio!.fault = (m) => (m.to === phone ? { status: 429, code: 20429, message: 'Too Many Requests' } : null);
    const sweep = sweeper();
    let t = firstDue.getTime();
    for (let i = 0; i < 3; i++) {
      await sweep(new Date(t), { maxAttempts: 3 });
      t += 60 * 60_000;
    }
    expect(await reminder(phone, firstStep.stepId)).toMatchObject({ status: 'failed', attempts: 3, lastError: expect.stringMatching(/20429/) });
    // Counted where the alarm can see it.
    expect(stack.metrics.totals.get('RemindersFailed')).toBeGreaterThanOrEqual(1);
    expect(sentTo(phone)).toEqual([]);
  });

  it('a permanent refusal is recorded as failed at once', async () => {
    const phone = await checkedIn();
    const firstDue = dueFor(phone);
    stack.twilio!.fault = (m) => (m.to === phone ? { status: 400, code: 21610, message: 'Attempt to send to unsubscribed recipient' } : null);
    await sweeper()(firstDue);
    expect(await reminder(phone, firstStep.stepId)).toMatchObject({ status: 'failed', lastError: expect.stringMatching(/opted-out 21610/) });
  });

  it('a sweeper that dies after claiming leaves a claim that expires, and the next sweep sends it once', async () => {
    const phone = await checkedIn();
    const firstDue = dueFor(phone);
    const ref = { userId: phone, to: phone, channel: 'sms' as const, series: String((await reminder(phone, firstStep.stepId)).series), stepId: firstStep.stepId, attempts: 0, dueKey: firstDue.toISOString(), vars: {}, tz: 'UTC', uncertain: false, dueAt: firstDue.toISOString() };
    const claim = await stack.store.claimReminder(ref, firstDue, new Date(firstDue.getTime() + 5 * 60_000), 'dead-sweeper');
    expect(claim.outcome).toBe('claimed');
    const sweep = sweeper();
    await sweep(new Date(firstDue.getTime() + 60_000));
    expect(sentTo(phone)).toEqual([]);
    await sweep(new Date(firstDue.getTime() + 5 * 60_000));
    expect(sentTo(phone)).toHaveLength(1);
    // The dead sweeper coming back cannot record over the new owner's result.
    await expect(stack.store.markSent(ref, 'dead-sweeper', firstDue, 'SMx')).rejects.toThrow();
  });

  it('a reminder due after the number opted out is never sent', async () => {
    const phone = await checkedIn();
    const firstDue = dueFor(phone);
    const ref = { userId: phone, to: phone, channel: 'sms' as const, series: String((await reminder(phone, firstStep.stepId)).series), stepId: firstStep.stepId, attempts: 0, dueKey: firstDue.toISOString(), vars: {}, tz: 'UTC', uncertain: false, dueAt: firstDue.toISOString() };
    await postWebhook(stack, smsParams(phone, 'stop'));
    // Even if a stale index still listed it, the claim refuses.
    expect((await stack.store.claimReminder(ref, firstDue, new Date(firstDue.getTime() + 60_000), 't')).outcome).not.toBe('claimed');
    await sweeper()(new Date(LEG_DAY.getTime() + 10 * 24 * HOUR));
    expect(sentTo(phone)).toEqual([]);
  });

  it('a reminder of a replaced leg day that escaped cancellation is dropped at claim time, not sent', async () => {
    const phone = await checkedIn();
    const firstDue = dueFor(phone);
    const user = (await stack.store.getUser(phone))!;
    const oldCheckin = user.recent[0]!.id;
    // A newer leg day written without cancelling the old follow-ups (as if that write had been lost).
    const decision = respond(user, {
      from: phone,
      text: 'legs done',
      now: new Date(LEG_DAY.getTime() + HOUR),
      newId: randomUUID,
      defaultTimezone: 'America/New_York',
    });
    const { reply: _reply, disclose: _d, reschedule: _r, cancelSeries: _c, cancelChannel: _cc, ...change } = decision;
    const commit = { decision: change, expectedVersion: user.version, cancel: [], reschedule: [], inbound: null, now: LEG_DAY };
    expect(await stack.store.commit(commit)).toEqual({ outcome: 'ok' });

    // Both first texts fall due together: one goes, the other waits its turn (no bursts) and is dropped when claimed.
    const results = [await sweeper()(firstDue), await sweeper()(new Date(firstDue.getTime() + HOUR))];
    expect(results[0]!.cancelled + results[1]!.cancelled).toBeGreaterThanOrEqual(1);
    // Only the newer leg day's first text went out.
    expect(sentTo(phone)).toHaveLength(1);
    const old = stack.store.written(phone).reminders.find((i) => i.series === oldCheckin && i.stepId === firstStep.stepId);
    expect(old).toMatchObject({ status: 'cancelled' });
  });

  it('a late sweep outside sending hours defers a text inside its window to the next 08:00 local, without counting an attempt, and expires one whose window closed', async () => {
    const phone = await checkedIn();
    const firstDue = dueFor(phone);
    // 01:00 Wednesday (New York), the night after both ice texts were due: overdue, but nobody wants a text now.
    const night = new Date('2026-03-04T06:00:00Z');
    const result = await sweeper()(night);
    expect(result.deferred).toBeGreaterThanOrEqual(1);
    expect(result.expired).toBeGreaterThanOrEqual(1);
    expect(sentTo(phone)).toEqual([]);
    // "The morning after" is only right that day: kept, as expired, out of the due index.
    const ice1 = await reminder(phone, 'ice-1');
    expect(ice1).toMatchObject({ status: 'expired', attempts: 0 });
    expect(ice1.dueKey).toBeUndefined();
    // The ice window is 48 h (until 13:00 Wednesday): the evening text may still go at 08:00.
    expect(await reminder(phone, 'ice-2')).toMatchObject({ status: 'pending', attempts: 0, dueKey: '2026-03-04T13:00:00.000Z' });
    const morning = await sweeper()(new Date('2026-03-04T13:00:00Z'));
    expect(morning.sent.map((s) => s.stepId)).toEqual(['ice-2']);
    // Late from its own (spread) 18:xx due time to 08:00.
    expect(morning.sent[0]!.lateSeconds).toBe((Date.parse('2026-03-04T13:00:00Z') - ice2Due(phone)) / 1000);
    expect(sentTo(phone).map((m) => m.body)).not.toContain(firstText);
  });

  it('a send that timed out after Twilio took it is found in Twilio\'s log when its delivery reports were lost, not sent again', async () => {
    const phone = await checkedIn();
    const firstDue = dueFor(phone);
    stack.twilio!.reportDelivery = false;
    stack.twilio!.fault = (m) => (m.to === phone ? 'accept-then-hang' : null);
    const first = await at(firstDue, () => sweeper(300)(firstDue));
    expect(first.retrying).toBeGreaterThanOrEqual(1);
    expect(sentTo(phone)).toHaveLength(1);
    expect(await reminder(phone, firstStep.stepId)).toMatchObject({ status: 'pending', uncertain: true });
    stack.twilio!.fault = null;
    const lookups = stack.twilio!.lookups;
    await sweeper()(new Date(firstDue.getTime() + 2 * 60_000));
    expect(stack.twilio!.lookups).toBe(lookups + 1);
    expect(sentTo(phone)).toHaveLength(1);
    expect(await reminder(phone, firstStep.stepId)).toMatchObject({ status: 'sent', providerId: sentTo(phone)[0]!.sid });
  });

  describe('the status callback is the per-reminder marker for a send that timed out', () => {
    /** The first text's send hangs after the stand-in took it; its signed reports reach the app meanwhile. */
    async function tookThenHung(phone: string) {
      const firstDue = dueFor(phone);
      stack.twilio!.fault = (m) => (m.to === phone ? 'accept-then-hang' : null);
      try {
        const first = await at(firstDue, () => sweeper(300)(firstDue));
        expect(first.retrying).toBeGreaterThanOrEqual(1);
      } finally {
        stack.twilio!.fault = null;
      }
      await stack.twilio!.settled();
      expect(sentTo(phone)).toHaveLength(1);
      return sentTo(phone)[0]!;
    }

    it('its callback arrived: the next sweep marks it sent with that message, sends nothing and does not search the log', async () => {
      const phone = await checkedIn();
      const firstDue = dueFor(phone);
      const taken = await tookThenHung(phone);
      // Stored on the reminder although no send was recorded yet.
      expect(await reminder(phone, firstStep.stepId)).toMatchObject({ status: 'pending', uncertain: true, deliverySid: taken.sid, delivery: 'delivered' });
      const lookups = stack.twilio!.lookups;
      const next = await sweeper()(new Date(firstDue.getTime() + 2 * 60_000));
      expect(next.sent.filter((s) => s.to === phone)).toEqual([expect.objectContaining({ providerId: taken.sid })]);
      expect(stack.twilio!.lookups).toBe(lookups);
      expect(sentTo(phone)).toHaveLength(1);
      expect(await reminder(phone, firstStep.stepId)).toMatchObject({ status: 'sent', providerId: taken.sid, delivery: 'delivered' });
      await sweeper()(new Date(firstDue.getTime() + 10 * 60_000));
      expect(sentTo(phone)).toHaveLength(1);
    });

    it('its callback said undelivered: the next sweep sends it again, exactly once, and records the new message\'s reports', async () => {
      const phone = await checkedIn();
      const firstDue = dueFor(phone);
      stack.twilio!.delivery = (m) => (m.to === phone && sentTo(phone).length === 1 ? { status: 'undelivered', errorCode: 30008 } : null);
      const lost = await tookThenHung(phone);
      expect(await reminder(phone, firstStep.stepId)).toMatchObject({ status: 'pending', deliverySid: lost.sid, delivery: 'undelivered' });
      const lookups = stack.twilio!.lookups;
      await at(new Date(firstDue.getTime() + 2 * 60_000), () => sweeper()(new Date(firstDue.getTime() + 2 * 60_000)));
      await stack.twilio!.settled();
      // The log was searched (another try could have reached Twilio) and holds only the message Twilio gave up on.
      expect(stack.twilio!.lookups).toBe(lookups + 1);
      expect(sentTo(phone)).toHaveLength(2);
      const again = sentTo(phone)[1]!;
      expect(await reminder(phone, firstStep.stepId)).toMatchObject({ status: 'sent', providerId: again.sid, deliverySid: again.sid, delivery: 'delivered' });
      await sweeper()(new Date(firstDue.getTime() + 10 * 60_000));
      expect(sentTo(phone)).toHaveLength(2);
      // The user is still active: 30008 is not about the number.
      expect((await stack.store.getUser(phone))?.status).toBe('active');
    });

    it('the report of an earlier try that Twilio gave up on does not hide a later try Twilio took: no third text', async () => {
      const phone = await checkedIn();
      const firstDue = dueFor(phone);
      // Try 1: Twilio takes it, the answer is lost, and it reports it undelivered.
      stack.twilio!.delivery = (m) => (m.to === phone && sentTo(phone).length === 1 ? { status: 'undelivered', errorCode: 30008 } : null);
      const first = await tookThenHung(phone);
      expect(await reminder(phone, firstStep.stepId)).toMatchObject({ deliverySid: first.sid, delivery: 'undelivered' });
      // Try 2: Twilio takes it too, the answer is lost again, and its report has not come yet.
      stack.twilio!.reportDelivery = false;
      stack.twilio!.fault = (m) => (m.to === phone ? 'accept-then-hang' : null);
      const retry = new Date(firstDue.getTime() + 2 * 60_000);
      try {
        await at(retry, () => sweeper(300)(retry));
      } finally {
        stack.twilio!.fault = null;
      }
      expect(sentTo(phone)).toHaveLength(2);
      const second = sentTo(phone)[1]!;
      // Try 3 finds the second message in Twilio's log instead of sending a third.
      const later = new Date(firstDue.getTime() + 30 * 60_000);
      const result = await at(later, () => sweeper()(later));
      expect(result.sent.filter((m) => m.to === phone)).toEqual([expect.objectContaining({ providerId: second.sid })]);
      expect(sentTo(phone)).toHaveLength(2);
      expect(await reminder(phone, firstStep.stepId)).toMatchObject({ status: 'sent', providerId: second.sid });
    });

    it('a late "sent" for the message Twilio gave up on does not bring it back', async () => {
      const phone = await checkedIn();
      const firstDue = dueFor(phone);
      stack.twilio!.delivery = (m) => (m.to === phone ? { status: 'undelivered', errorCode: 30008 } : null);
      const lost = await tookThenHung(phone);
      const r = await reminder(phone, firstStep.stepId);
      const ref = { userId: phone, channel: 'sms' as const, series: String(r.series), stepId: firstStep.stepId };
      // "sent" after "undelivered" for the same message: never backwards.
      expect(await stack.store.recordDelivery({ ref, providerId: lost.sid, status: 'sent', errorCode: null, at: firstDue })).toBe(false);
      expect(await reminder(phone, firstStep.stepId)).toMatchObject({ deliverySid: lost.sid, delivery: 'undelivered', deliveryError: '30008' });
    });
  });

  it('two reminders with the same words to the same number: one taken earlier does not pass for the other, whose send hung before Twilio took it', async () => {
    const phone = await checkedIn();
    const firstDue = dueFor(phone);
    const ice1 = await reminder(phone, firstStep.stepId);
    const second = stack.store.written(phone).reminders.filter((i) => i.status === 'pending' && i.stepId !== firstStep.stepId).sort((a, b) => String(a.dueAt).localeCompare(String(b.dueAt)))[0]!;
    const secondDue = new Date(String(second.dueAt));
    // Crafted: the second text says exactly what the first said (a pain check-in repeats its words
    // from day to day), stored as a reminder planned before wording moved to send time holds them.
    const stored = [...stack.store.state.reminders.values()].find((r) => r.userId === phone && r.series === second.series && r.stepId === second.stepId && r.channel === 'sms')!;
    (stored as { body?: unknown }).body = firstText;

    await at(firstDue, () => sweeper()(firstDue));
    expect(sentTo(phone).map((m) => m.body)).toEqual([firstText]);
    // The second one's send hangs, and Twilio never took it: uncertain, and no report can come.
    stack.twilio!.fault = (m) => (m.to === phone ? 'hang' : null);
    try {
      await at(secondDue, () => sweeper(300)(secondDue));
    } finally {
      stack.twilio!.fault = null;
    }
    expect(await reminder(phone, String(second.stepId))).toMatchObject({ status: 'pending', uncertain: true });
    const retry = new Date(secondDue.getTime() + 2 * 60_000);
    const lookups = stack.twilio!.lookups;
    await at(retry, () => sweeper()(retry));
    // The log was searched (no report), and the first text, older than the second's first try, is not taken for it.
    expect(stack.twilio!.lookups).toBe(lookups + 1);
    expect(sentTo(phone).map((m) => m.body)).toEqual([firstText, firstText]);
    expect(await reminder(phone, String(second.stepId))).toMatchObject({ status: 'sent', providerId: sentTo(phone)[1]!.sid });
    expect(await reminder(phone, firstStep.stepId)).toMatchObject({ status: 'sent', providerId: sentTo(phone)[0]!.sid });
  });

  it('a claim taken over from a sweeper that sent and then died is found in Twilio\'s log, not sent twice', async () => {
    const phone = await checkedIn();
    const firstDue = dueFor(phone);
    const series = String((await reminder(phone, firstStep.stepId)).series);
    const ref = { userId: phone, to: phone, channel: 'sms' as const, series, stepId: firstStep.stepId, attempts: 0, dueKey: firstDue.toISOString(), vars: {}, tz: 'UTC', uncertain: false, dueAt: firstDue.toISOString() };
    expect((await stack.store.claimReminder(ref, firstDue, new Date(firstDue.getTime() + 5 * 60_000), 'dead-sweeper')).outcome).toBe('claimed');
    // The dead sweeper's send went through (dated when it went); its "sent" write never happened, nor did a report come.
    await at(firstDue, () =>
      createTwilioSender({ accountSid: LOCAL_TWILIO_ACCOUNT_SID, authToken: LOCAL_TWILIO_AUTH_TOKEN, from: LOCAL_SERVICE_NUMBER, apiBaseUrl: stack.twilio!.url }).send({ to: phone, body: firstText }),
    );
    await sweeper()(new Date(firstDue.getTime() + 5 * 60_000));
    expect(sentTo(phone)).toHaveLength(1);
    expect(await reminder(phone, firstStep.stepId)).toMatchObject({ status: 'sent', providerId: sentTo(phone)[0]!.sid });
  });

  it('a sweep that cannot finish the backlog at the sender\'s rate in its time leaves the rest to the next; lateness is recorded per text', async () => {
    const phones = await Promise.all(Array.from({ length: 30 }, () => checkedIn()));
    // A virtual wall clock: pacing at 10 texts/s against a 1 s budget, with no real waiting.
    let wall = 0;
    const wallClock = { now: () => new Date(wall) };
    const sender = createTwilioSender({ accountSid: LOCAL_TWILIO_ACCOUNT_SID, authToken: LOCAL_TWILIO_AUTH_TOKEN, from: LOCAL_SERVICE_NUMBER, apiBaseUrl: stack.twilio!.url });
    const deps = { store: stack.store, sender, email: stack.email, log: { info() {}, warn() {}, error() {} }, metrics: stack.metrics, newId: randomUUID, wallClock, sleep: async (ms: number) => void (wall += ms), defaultTimezone: 'America/New_York' };
    // From the moment all 30 are due (each number's own offset puts them 0-30 minutes apart).
    const start = allDue(phones).getTime();
    const sweep = (minutes: number) => sendDueReminders(deps, { now: new Date(start + minutes * 60_000), ratePerSecond: 10, budgetMs: 1000, batchSize: 8, concurrency: 1 });
    const first = await sweep(0);
    // Batch after batch (of 8) while the budget lasts, then stop: the rest wait for the next minute.
    expect(first.sent.length).toBeGreaterThan(8);
    expect(first.sent.length).toBeLessThan(30);
    let total = first.sent.length;
    for (let minute = 1; total < 30 && minute < 10; minute++) {
      const next = await sweep(minute);
      for (const s of next.sent) expect(s.lateSeconds).toBe((start + minute * 60_000 - dueFor(s.to).getTime()) / 1000);
      total += next.sent.length;
    }
    expect(total).toBe(30);
    for (const phone of phones) expect(sentTo(phone)).toHaveLength(1);
    const waited = phones.find((p) => !first.sent.some((s) => s.to === p))!;
    const late = await reminder(waited, firstStep.stepId);
    expect(late).toMatchObject({ status: 'sent', dueAt: dueFor(waited).toISOString(), lateSeconds: expect.any(Number) });
    expect(Number(late.lateSeconds)).toBeGreaterThanOrEqual((start + 60_000 - dueFor(waited).getTime()) / 1000);
  });
});
