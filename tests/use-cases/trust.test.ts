import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replyText } from '../../src/adapters/twilio/twiml.ts';
import { SMS } from '../../src/content/index.ts';
import type { MemoryStack } from '../../src/local/stack.ts';
import { advance, pendingOf, postWebhook, recordsOf, smsParams, startMemoryStack, text } from '../support/stack.ts';

/**
 * Opt-out compliance and abuse limits, through the real webhook and sweeper. The consent records,
 * check-ins and a failed text's reason are written and never read back by the service: they are
 * read from the memory store's view (MemoryStore.written). How the dedupe record's TTL is stored:
 * tests/integration/stored-items.test.ts.
 */
let stack: MemoryStack;
beforeAll(async () => {
  stack = await startMemoryStack({
    RATE_REPLIES_PER_NUMBER_PER_HOUR: '5',
    RATE_ENROLMENTS_PER_HOUR: '30',
  });
});
afterAll(() => stack?.stop());

let n = 0;
const newPhone = () => `+1555${String(3000000 + ++n).padStart(7, '0')}`;
const reply = async (res: Response) => replyText(await res.text());
const user = (phone: string) => stack.store.getUser(phone);
const pendingCount = async (phone: string) => (await pendingOf(stack, phone)).length;
const history = (phone: string, type: string) => stack.store.written(phone).history.filter((i) => i.type === type);

describe('opt-out and consent', () => {
  it.each(['stop texting me', 'Please stop', 'unsubscribe me', 'STOP.', 'optout'])(
    '%j opts out at once and cancels every pending reminder in the same write',
    async (words) => {
      const phone = newPhone();
      await text(stack, phone, 'legs done');
      expect(await pendingCount(phone)).toBeGreaterThan(0);
      expect(await text(stack, phone, words)).toBe(SMS.stopped);
      expect(await user(phone)).toMatchObject({ status: 'opted_out' });
      expect(await pendingCount(phone)).toBe(0);
    },
  );

  it('with Advanced Opt-Out (OptOutType), Twilio confirms: the change is recorded and the TwiML is empty', async () => {
    const phone = newPhone();
    await text(stack, phone, 'legs done');
    const stop = await postWebhook(stack, { ...smsParams(phone, 'STOP'), OptOutType: 'STOP' });
    expect(stop.status).toBe(200);
    expect(await reply(stop)).toBeNull();
    expect(await user(phone)).toMatchObject({ status: 'opted_out' });
    const start = await postWebhook(stack, { ...smsParams(phone, 'START'), OptOutType: 'START' });
    expect(await reply(start)).toBeNull();
    expect(await user(phone)).toMatchObject({ status: 'active' });
    const consent = history(phone, 'consent');
    expect(consent.map((c) => [c.action, c.via])).toEqual(
      expect.arrayContaining([
        ['opt-out', 'twilio advanced opt-out'],
        ['opt-in', 'twilio advanced opt-out'],
      ]),
    );
  });

  it('keeps the record of consent: when and how each number opted in and out, with the message', async () => {
    const phone = newPhone();
    await text(stack, phone, 'Legs done!!');
    await text(stack, phone, 'stop');
    await text(stack, phone, 'START');
    const consent = history(phone, 'consent');
    expect(consent.map(({ action, via, text: t }) => ({ action, via, text: t }))).toEqual([
      { action: 'opt-in', via: 'first check-in', text: 'Legs done!!' },
      { action: 'opt-out', via: 'keyword', text: 'stop' },
      { action: 'opt-in', via: 'keyword', text: 'START' },
    ]);
    for (const c of consent) expect(Date.parse(String(c.at))).not.toBeNaN();
  });

  it('a send refused with 21610 opts the number out exactly as an inbound STOP would', async () => {
    const phone = newPhone();
    await text(stack, phone, 'legs done');
    stack.twilio!.fault = (m) =>
      m.to === phone ? { status: 400, code: 21610, message: 'Attempt to send to unsubscribed recipient' } : null;
    await advance(stack, 24 * 60);
    stack.twilio!.fault = null;
    expect(await user(phone)).toMatchObject({ status: 'opted_out' });
    expect(await pendingCount(phone)).toBe(0);
    const consent = history(phone, 'consent').filter((i) => i.action === 'opt-out');
    expect(consent).toEqual([expect.objectContaining({ via: 'carrier error 21610' })]);
    await advance(stack, 8 * 24 * 60);
    expect(stack.twilio!.messages.filter((m) => m.to === phone)).toEqual([]);
  });

  it.each([
    [21211, "The 'To' number is not a valid phone number."],
    [21614, "'To' number is not a valid mobile number"],
    [30005, 'Unknown destination handset'],
    [30006, 'Landline or unreachable carrier'],
  ])('a send refused with %i stops all sending to that number', async (code, message) => {
    const phone = newPhone();
    await text(stack, phone, 'legs done');
    stack.twilio!.fault = (m) => (m.to === phone ? { status: 400, code, message } : null);
    await advance(stack, 24 * 60);
    stack.twilio!.fault = null;
    expect(await user(phone)).toMatchObject({ status: 'unreachable' });
    expect(await pendingCount(phone)).toBe(0);
    const failed = stack.store.written(phone).reminders.filter((i) => i.status === 'failed');
    expect(failed[0]).toMatchObject({ lastError: expect.stringContaining(String(code)) });
    // The number texting in again shows it can take texts: it is served again.
    expect(await text(stack, phone, 'legs done')).toBe(SMS.checkinAgain);
    expect(await user(phone)).toMatchObject({ status: 'active' });
  });
});

describe('duplicate deliveries', () => {
  it('dedupe is on the signed MessageSid, never the unsigned I-Twilio-Idempotency-Token', async () => {
    const phone = newPhone();
    const signed = async (p: Record<string, string>, token: string) => {
      const { signTwilioRequest } = await import('../../src/adapters/twilio/signature.ts');
      const { LOCAL_TWILIO_AUTH_TOKEN } = await import('../../src/config.ts');
      return fetch(stack.url + '/webhooks/twilio/sms', {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-twilio-signature': signTwilioRequest(LOCAL_TWILIO_AUTH_TOKEN, stack.publicUrl + '/webhooks/twilio/sms', p),
          'i-twilio-idempotency-token': token,
        },
        body: new URLSearchParams(p).toString(),
      });
    };
    // A header anyone on the path can set cannot make a new message (a STOP) look like a retry.
    const params = smsParams(phone, 'legs done');
    const first = await reply(await signed(params, 'same-token-1234'));
    expect(await reply(await signed(smsParams(phone, 'STOP'), 'same-token-1234'))).toBe(SMS.stopped);
    expect(await user(phone)).toMatchObject({ status: 'opted_out' });
    // Nor a retry of one message with a different token be handled twice.
    expect(await reply(await signed(params, 'other-token-5678'))).toBe(first);
    expect(history(phone, 'checkin')).toHaveLength(1);
  });
});

describe('abuse and cost limits', () => {
  it('a burst of texts from one number gets at most a few replies, and STOP still works, and is answered, after', async () => {
    const phone = newPhone();
    const replies: (string | null)[] = [];
    for (let i = 0; i < 20; i++) replies.push(await text(stack, phone, 'pain'));
    expect(replies.filter((r) => r !== null)).toHaveLength(5);
    expect(stack.metrics.totals.get('RateLimited_replies_per_number')).toBeGreaterThanOrEqual(15);
    await text(stack, phone, 'legs done');
    expect(await text(stack, phone, 'HELP')).toBe(SMS.help);
    expect(await text(stack, phone, 'STOP')).toBe(SMS.stopped);
    expect(await user(phone)).toMatchObject({ status: 'opted_out' });
  });

  it('texts from countries outside ALLOWED_COUNTRIES get no reply and leave no record', async () => {
    for (const phone of ['+33612345678', '+2348031234567', '+8613812345678']) {
      const res = await postWebhook(stack, smsParams(phone, 'legs done'));
      expect(res.status).toBe(200);
      expect(await reply(res)).toBeNull();
      expect(await recordsOf(stack, phone)).toEqual([]);
    }
    expect(stack.metrics.totals.get('InboundBlockedCountry')).toBe(3);
    // Allowed: a UK number.
    expect(await reply(await postWebhook(stack, smsParams('+447700900555', 'help')))).toBe(SMS.help);
  });
});

describe('a flood of new numbers', () => {
  it('trips the global enrolment limit and its alarm metric, not the bill', async () => {
    const flood = await startMemoryStack({ RATE_ENROLMENTS_PER_HOUR: '5' });
    try {
      const phones = Array.from({ length: 12 }, (_, i) => `+1555${String(4000000 + i).padStart(7, '0')}`);
      const replies = [];
      for (const phone of phones) replies.push(await reply(await postWebhook(flood, smsParams(phone, 'legs done'))));
      expect(replies.filter((r) => r !== null)).toHaveLength(5);
      const enrolled = (await Promise.all(phones.map((p) => recordsOf(flood, p)))).filter((items) => items.length > 1);
      expect(enrolled).toHaveLength(5);
      expect(flood.metrics.totals.get('RateLimited_enrolments')).toBe(7);
    } finally {
      await flood.stop();
    }
  });
});
