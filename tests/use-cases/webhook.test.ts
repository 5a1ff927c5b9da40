import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PLAN, SMS } from '../../src/content/index.ts';
import { replyText } from '../../src/adapters/twilio/twiml.ts';
import type { MemoryStack } from '../../src/local/stack.ts';
import { dueIndexOf, newMessageSid, pendingOf, postWebhook, recordsOf, smsParams, startMemoryStack } from '../support/stack.ts';

let stack: MemoryStack;
// As behind API Gateway: Twilio signs the public URL, the app is reached at another host.
const PUBLIC_URL = 'https://legday.example.com';

beforeAll(async () => {
  stack = await startMemoryStack({ PUBLIC_URL });
});
afterAll(() => stack?.stop());

const kinds = (items: Record<string, unknown>[]) => items.map((i) => i.type).sort();

describe('POST /webhooks/twilio/sms', () => {
  it('a signed "legs done" from a new number enrols it, stores the check-in and its follow-ups, and replies in TwiML', async () => {
    const phone = '+15550000001';
    const res = await postWebhook(stack, smsParams(phone, 'Legs done!!'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/xml/);
    expect(replyText(await res.text())).toBe(SMS.checkinFirst);

    const items = await recordsOf(stack, phone);
    expect(kinds(items)).toEqual(['checkin', 'consent', ...PLAN.steps.map(() => 'reminder'), 'user'].sort());
    expect(items.filter((i) => i.type === 'reminder').every((i) => i.status === 'pending')).toBe(true);
  });

  it('the signature is checked over PUBLIC_URL, not the host the request reached', async () => {
    const phone = '+15550000002';
    const local = await postWebhook(stack, smsParams(phone, 'legs done'), { signedUrl: stack.url + '/webhooks/twilio/sms' });
    expect(local.status).toBe(403);
    const pub = await postWebhook(stack, smsParams(phone, 'legs done'), { signedUrl: PUBLIC_URL + '/webhooks/twilio/sms' });
    expect(pub.status).toBe(200);
  });

  it.each([
    ['missing', { signature: null }],
    ['made with the wrong auth token', { authToken: 'not-the-token' }],
    ['garbage', { signature: 'bm90IGEgc2lnbmF0dXJl' }],
  ] as const)('a %s signature gets 403 and nothing is written', async (_name, opts) => {
    const phone = '+15550000003';
    const res = await postWebhook(stack, smsParams(phone, 'legs done'), opts);
    expect(res.status).toBe(403);
    expect(await res.text()).toMatch(/signature/i);
    expect(await recordsOf(stack, phone)).toEqual([]);
  });

  it('a body changed after signing is refused', async () => {
    const phone = '+15550000004';
    const params = smsParams(phone, 'HELP');
    const res = await postWebhook(stack, params, { rawBody: new URLSearchParams({ ...params, Body: 'STOP' }).toString() });
    expect(res.status).toBe(403);
  });

  it('the same MessageSid delivered twice changes nothing the second time and gets the same reply', async () => {
    const phone = '+15550000005';
    const params = smsParams(phone, 'legs done');
    const first = await postWebhook(stack, params);
    const before = await recordsOf(stack, phone);
    const second = await postWebhook(stack, params);
    expect(second.status).toBe(200);
    expect(replyText(await second.text())).toBe(replyText(await first.text()));
    expect(await recordsOf(stack, phone)).toEqual(before);
  });

  it('a repeat "legs done" replaces the pending follow-ups of the last one', async () => {
    const phone = '+15550000006';
    await postWebhook(stack, smsParams(phone, 'legs done'));
    const res = await postWebhook(stack, smsParams(phone, 'leg day done'));
    expect(replyText(await res.text())).toBe(SMS.checkinAgain);
    // Every reminder of the number, whatever leg day (the ports read one at a time).
    const reminders = stack.store.written(phone).reminders;
    expect(reminders.filter((r) => r.status === 'pending')).toHaveLength(PLAN.steps.length);
    expect(reminders.filter((r) => r.status === 'cancelled')).toHaveLength(PLAN.steps.length);
    // Cancelled reminders leave the due index.
    const due = await dueIndexOf(stack, phone);
    expect(reminders.filter((r) => r.status === 'cancelled').every((r) => !due.some((d) => d.series === r.series && d.stepId === r.stepId))).toBe(true);
  });

  it('STOP cancels every pending follow-up in the same write and records consent', async () => {
    const phone = '+15550000007';
    await postWebhook(stack, smsParams(phone, 'legs done'));
    const res = await postWebhook(stack, smsParams(phone, 'STOP'));
    expect(replyText(await res.text())).toBe(SMS.stopped);
    expect(await stack.store.getUser(phone)).toMatchObject({ status: 'opted_out' });
    expect(stack.store.written(phone).reminders.every((r) => r.status === 'cancelled')).toBe(true);
    // The consent record is written and never read back: the memory store's view of it.
    expect(stack.store.written(phone).history.filter((i) => i.type === 'consent').map((c) => c.action).sort()).toEqual(['opt-in', 'opt-out']);
    // Opted out: silence, until START.
    expect(replyText(await (await postWebhook(stack, smsParams(phone, 'legs done'))).text())).toBeNull();
    expect(replyText(await (await postWebhook(stack, smsParams(phone, 'START'))).text())).toBe(SMS.started);
  });

  it('texts from one number racing each other all land, and only the last leg day keeps pending follow-ups', async () => {
    const phone = '+15550000010';
    const results = await Promise.all(Array.from({ length: 5 }, () => postWebhook(stack, smsParams(phone, 'legs done'))));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(stack.store.written(phone).history.filter((i) => i.type === 'checkin')).toHaveLength(5);
    const pending = await pendingOf(stack, phone);
    expect(pending).toHaveLength(PLAN.steps.length);
    const user = (await stack.store.getUser(phone))!;
    expect(new Set(pending.map((r) => r.series))).toEqual(new Set([user.recent[0]?.id]));
  });

  describe('bad input gets a 4xx with a reason, and nothing is written', () => {
    it.each([
      ['From is not a phone number', { From: 'not-a-number' }, /From/],
      ['MessageSid is missing', { MessageSid: '' }, /MessageSid/],
      ['MessageSid is malformed', { MessageSid: 'SM123' }, /MessageSid/],
      ['Body is longer than any SMS', { Body: 'x'.repeat(2000) }, /Body/],
    ])('%s', async (_name, override, reason) => {
      const params = { ...smsParams('+15550000008', 'legs done'), ...override };
      const res = await postWebhook(stack, params);
      expect(res.status).toBe(400);
      expect(await res.text()).toMatch(reason);
      expect(await recordsOf(stack, '+15550000008')).toEqual([]);
    });

    it('a repeated parameter', async () => {
      const params = smsParams('+15550000008', 'legs done');
      const raw = new URLSearchParams(params).toString() + '&Body=STOP';
      const res = await postWebhook(stack, params, { rawBody: raw });
      expect(res.status).toBe(400);
      expect(await res.text()).toMatch(/repeated/);
    });

    it('a body over 16 KB is refused before parsing', async () => {
      const res = await postWebhook(stack, smsParams('+15550000008', 'legs done'), { rawBody: 'Body=' + 'x'.repeat(20_000) });
      expect(res.status).toBe(413);
    });
  });
});

describe('GET /healthz', () => {
  it('answers 200', async () => {
    const res = await fetch(stack.url + '/healthz');
    expect(res.status).toBe(200);
  });
});

describe('the dev surface', () => {
  it('POST /dev/sms with a bad body or number says what to send', async () => {
    for (const body of ['nope', JSON.stringify({ from: '+15551234567' }), JSON.stringify({ from: 'abc', body: 'hi' })]) {
      const res = await fetch(stack.url + '/dev/sms', { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: string }).error).toBeTruthy();
    }
  });

  it('POST /dev/clock refuses a negative or fractional advance', async () => {
    for (const advanceMinutes of [-5, 1.5, 'soon']) {
      const res = await fetch(stack.url + '/dev/clock', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ advanceMinutes }),
      });
      expect(res.status).toBe(400);
    }
  });

  it('GET /dev/outbox takes the number with or without an encoded +', async () => {
    const phone = '+15550000009';
    await fetch(stack.url + '/dev/sms', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ from: phone, body: 'help' }),
    });
    for (const q of [encodeURIComponent(phone), phone]) {
      const res = await fetch(`${stack.url}/dev/outbox?to=${q}`);
      const { messages } = (await res.json()) as { messages: { to: string; channel: string; body: string }[] };
      expect(messages).toEqual([expect.objectContaining({ to: phone, channel: 'sms', body: SMS.help })]);
    }
  });

  it('newMessageSid makes distinct SIDs', () => {
    expect(newMessageSid()).not.toBe(newMessageSid());
  });
});
