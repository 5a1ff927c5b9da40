import { PLAN } from '../../src/content/index.ts';
import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { signTwilioRequest } from '../../src/adapters/twilio/signature.ts';
import { LOCAL_TWILIO_ACCOUNT_SID, LOCAL_TWILIO_AUTH_TOKEN } from '../../src/config.ts';
import type { MemoryStack } from '../../src/local/stack.ts';
import { advance, outbox, pendingOf, startMemoryStack, text } from '../support/stack.ts';
import { encodeReminderTag } from '../../src/core/reminder-tag.ts';
import { confirmedEmailUser, receive } from '../support/email.ts';

/**
 * Delivery reports end to end: the sweeper sends through the real `twilio` client, asking for a
 * status callback; the Twilio stand-in takes the message and then POSTs signed reports to
 * /webhooks/twilio/status, as Twilio does; the app checks the signature and stores the state.
 */
let stack: MemoryStack;
let n = 0;
beforeAll(async () => {
  stack = await startMemoryStack();
});
afterAll(() => stack?.stop());
beforeEach(() => {
  stack.twilio!.delivery = null;
});

const PATH = '/webhooks/twilio/status';
// Leg day is Monday 13:00 New York; the first text (ice-1) is planned for Tuesday 09:00, 20 hours
// later, and each number's goes up to spreadMinutes after that: by then every one has gone.
const TO_FIRST_TEXT = 20 * 60 + PLAN.spreadMinutes;

/** A fresh number whose first scheduled text has gone; returns it once its delivery reports are in. */
async function firstTextSent(): Promise<string> {
  const phone = `+1555${String(4000000 + ++n).padStart(7, '0')}`;
  await text(stack, phone, 'legs done');
  return phone;
}
// A report is kept on its reminder as it came (the timeline shows only the sent message's): no port
// reads it back as stored, so it is read from the memory store's view.
const reminder = async (phone: string, stepId: string) => stack.store.written(phone).reminders.find((r) => r.stepId === stepId)!;
const user = async (phone: string) => (await stack.store.getUser(phone))!;

/** Posts a status callback as Twilio would, signed over PUBLIC_URL + path + query (or not). */
async function callback(query: string, params: Record<string, string>, opts: { signature?: string | null; signedQuery?: string } = {}) {
  const signature = opts.signature === undefined ? signTwilioRequest(LOCAL_TWILIO_AUTH_TOKEN, stack.publicUrl + PATH + (opts.signedQuery ?? query), params) : opts.signature;
  return fetch(stack.url + PATH + query, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(signature === null ? {} : { 'x-twilio-signature': signature }) },
    body: new URLSearchParams(params).toString(),
  });
}

describe('delivery reports (POST /webhooks/twilio/status)', () => {
  // One clock for the file: everyone checks in, then time moves to the first text once.
  let ok: string, unreachable: string, optedOut: string, filtered: string;
  beforeAll(async () => {
    [ok, unreachable, optedOut, filtered] = [await firstTextSent(), await firstTextSent(), await firstTextSent(), await firstTextSent()];
    stack.twilio!.delivery = (m) =>
      m.to === unreachable
        ? { status: 'undelivered', errorCode: 30006 }
        : m.to === optedOut
          ? { status: 'failed', errorCode: 21610 }
          : m.to === filtered
            ? { status: 'undelivered', errorCode: 30007 }
            : null;
    const { sent } = await advance(stack, TO_FIRST_TEXT);
    expect(sent.filter((s) => s.stepId === 'ice-1')).toHaveLength(4);
    await stack.twilio!.settled();
  });

  it('every scheduled text asks for a status callback naming its reminder; "delivered" from the stand-in is stored on the message and shown in /dev/outbox', async () => {
    const msg = stack.twilio!.messages.find((m) => m.to === ok)!;
    expect(msg.statusCallback).toMatch(new RegExp(`^${stack.publicUrl}/webhooks/twilio/status\\?u=%2B1555\\d+&s=[\\w-]+&k=ice-1$`));
    expect(await reminder(ok, 'ice-1')).toMatchObject({ status: 'sent', providerId: msg.sid, delivery: 'delivered' });
    const shown = (await outbox(stack, ok)).find((m) => (m as { stepId?: string }).stepId === 'ice-1') as Record<string, unknown>;
    expect(shown).toMatchObject({ delivery: 'delivered', sentAt: expect.any(String) });
    expect(stack.metrics.totals.get('TextsDelivered')).toBeGreaterThanOrEqual(1);
  });

  it('30006 (landline or unreachable) reported after the send marks the number unreachable and cancels its pending texts', async () => {
    expect(await reminder(unreachable, 'ice-1')).toMatchObject({ delivery: 'undelivered', deliveryError: '30006' });
    expect(await user(unreachable)).toMatchObject({ status: 'unreachable' });
    expect(await reminder(unreachable, 'ice-2')).toMatchObject({ status: 'cancelled' });
  });

  it('21610 reported after the send opts the number out, with the consent record, as a STOP would', async () => {
    expect(await user(optedOut)).toMatchObject({ status: 'opted_out' });
    expect(stack.store.written(optedOut).history.some((i) => i.type === 'consent' && String(i.via).includes('21610'))).toBe(true);
    expect(await pendingOf(stack, optedOut)).toEqual([]);
  });

  it('30007 (carrier filtering) is counted for its alarm and leaves the number active', async () => {
    expect(await reminder(filtered, 'ice-1')).toMatchObject({ delivery: 'undelivered', deliveryError: '30007' });
    expect(await user(filtered)).toMatchObject({ status: 'active' });
    expect(stack.metrics.totals.get('CarrierFiltered')).toBe(1);
  });

  it('is idempotent: the same report again, or a late "sent" after "delivered", changes nothing', async () => {
    const r = await reminder(ok, 'ice-1');
    const query = `?u=${encodeURIComponent(ok)}&s=${String(r.series)}&k=ice-1`;
    const base = { AccountSid: LOCAL_TWILIO_ACCOUNT_SID, MessageSid: String(r.providerId), To: ok, From: '+15550000000' };
    for (const status of ['delivered', 'sent', 'queued']) {
      const res = await callback(query, { ...base, MessageStatus: status });
      expect(res.status).toBe(204);
    }
    expect(await reminder(ok, 'ice-1')).toMatchObject({ delivery: 'delivered', deliveryAt: r.deliveryAt });
    // A report for a message we did not send to that reminder is refused by the condition, not stored.
    await callback(query, { ...base, MessageSid: 'SM' + 'f'.repeat(32), MessageStatus: 'failed', ErrorCode: '30006' });
    expect(await user(ok)).toMatchObject({ status: 'active' });
  });

  it('checks the signature like the SMS webhook: missing, wrong, or over another reminder gets 403 and changes nothing', async () => {
    const r = await reminder(ok, 'ice-1');
    const query = `?u=${encodeURIComponent(ok)}&s=${String(r.series)}&k=ice-1`;
    const params = { AccountSid: LOCAL_TWILIO_ACCOUNT_SID, MessageSid: String(r.providerId), To: ok, MessageStatus: 'failed', ErrorCode: '21610' };
    expect((await callback(query, params, { signature: null })).status).toBe(403);
    expect((await callback(query, params, { signature: 'bm90IGEgc2lnbmF0dXJl' })).status).toBe(403);
    // Signed for another step: the query is part of what Twilio signs.
    expect((await callback(query.replace('ice-1', 'ice-2'), params, { signedQuery: query })).status).toBe(403);
    expect(await user(ok)).toMatchObject({ status: 'active' });
  });

  it('refuses malformed reports with a 400 and a reason, never a 500', async () => {
    const query = `?u=${encodeURIComponent(ok)}&s=x&k=ice-1`;
    const good = { AccountSid: LOCAL_TWILIO_ACCOUNT_SID, MessageSid: 'SM' + 'a'.repeat(32), To: ok, MessageStatus: 'delivered' };
    for (const [params, reason] of [
      [{ ...good, MessageStatus: 'exploded' }, /MessageStatus/],
      [{ ...good, MessageSid: 'nope' }, /MessageSid/],
      [{ ...good, ErrorCode: '30006; drop table' }, /ErrorCode/],
      [{ ...good, To: 'not a number' }, /To/],
    ] as const) {
      const res = await callback(query, params as Record<string, string>);
      expect(res.status).toBe(400);
      expect(await res.text()).toMatch(reason);
    }
    // No reminder named: acknowledged, nothing stored.
    expect((await callback('', good)).status).toBe(204);
  });
});

describe('hostile delivery reports', () => {
  it('300 random signed reports (any fields, any values, any reminder named) get 204 or a 400, never a 5xx', async () => {
    const value = fc.oneof(fc.string({ maxLength: 60 }), fc.constantFrom('delivered', 'failed', 'undelivered', '30006', '21610', '+15554000001', 'SM' + 'a'.repeat(32), ''));
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(fc.constantFrom('MessageSid', 'MessageStatus', 'ErrorCode', 'To', 'From', 'AccountSid', 'Other'), value),
        fc.dictionary(fc.constantFrom('u', 's', 'k', 'x'), fc.string({ maxLength: 40 })),
        async (params, query) => {
          const qs = Object.keys(query).length ? '?' + new URLSearchParams(query).toString() : '';
          const res = await callback(qs, params);
          expect([204, 400]).toContain(res.status);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('with TWILIO_MESSAGING_SERVICE_SID set', () => {
  it('texts go through the Messaging Service (its number pool) instead of one From number, still asking for delivery reports', async () => {
    const sid = 'MG' + 'c'.repeat(32);
    const s = await startMemoryStack({ TWILIO_MESSAGING_SERVICE_SID: sid });
    try {
      await text(s, '+15554999001', 'legs done');
      await advance(s, TO_FIRST_TEXT);
      await s.twilio!.settled();
      const [msg] = s.twilio!.messages.filter((m) => m.to === '+15554999001');
      expect(msg).toMatchObject({ from: sid, status: 'delivered' });
      expect(msg!.statusCallback).toContain('/webhooks/twilio/status?');
    } finally {
      await s.stop();
    }
  });
});

describe('SES delivery, bounce and complaint events update the reminder email they are about', () => {
  it('a Delivery event (signed by SNS, tagged with the reminder when sent) marks the email delivered; a bounce marks another bounced; an event for another message changes nothing', async () => {
    const s = await startMemoryStack();
    try {
      const emails = ['arrives@example.com', 'bounces@example.com'];
      for (const e of emails) {
        await confirmedEmailUser(s, e);
        await receive(s, { from: e, subject: 'legs done', text: '' });
      }
      // London, Monday 18:00: the first email follow-up is planned for Tuesday 09:00, and each
      // address's goes up to spreadMinutes later.
      await advance(s, 15 * 60 + PLAN.spreadMinutes);
      const sent = async (address: string) => {
        const owner = (await s.store.emailOwner(address))!;
        const r = s.store.written(owner).reminders.find((i) => i.channel === 'email' && i.status === 'sent')!;
        return { owner, r, ref: { userId: owner, series: String(r.series), stepId: String(r.stepId) } };
      };
      const post = (event: unknown, id: string) =>
        fetch(s.url + '/webhooks/ses/events', { method: 'POST', headers: { 'content-type': 'text/plain; charset=UTF-8' }, body: JSON.stringify(s.sns.notification(event, s.clock.now(), id)) });
      const stored = (x: { owner: string; r: { series: string; stepId: string } }) =>
        s.store.written(x.owner).reminders.find((i) => i.channel === 'email' && i.series === x.r.series && i.stepId === x.r.stepId);
      const a = await sent(emails[0]!);
      const mail = (x: typeof a, messageId = String(x.r.providerId)) => ({ messageId, tags: { 'legday-reminder': [encodeReminderTag(x.ref)] } });
      expect((await post({ eventType: 'Delivery', mail: mail(a), delivery: { recipients: [emails[0]] } }, 'd-1')).status).toBe(200);
      expect(stored(a)).toMatchObject({ delivery: 'delivered' });

      const b = await sent(emails[1]!);
      // A report for a message that is not the one we sent for that reminder is not stored.
      await post({ eventType: 'Delivery', mail: mail(b, 'not-our-message-id') }, 'd-2');
      expect(stored(b)?.delivery).toBeUndefined();
      await post({ eventType: 'Bounce', mail: mail(b), bounce: { bounceType: 'Permanent', bounceSubType: 'NoEmail', bouncedRecipients: [{ emailAddress: emails[1] }] } }, 'b-1');
      expect(stored(b)).toMatchObject({ delivery: 'bounced', deliveryError: 'NoEmail' });
      // The bounce also stopped email to the address, as before.
      expect((await s.store.getUser(b.owner))?.email?.status).toBe('bounced');
    } finally {
      await s.stop();
    }
  });
});
