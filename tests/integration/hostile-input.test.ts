import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signTwilioRequest } from '../../src/adapters/twilio/signature.ts';
import { LOCAL_TWILIO_AUTH_TOKEN } from '../../src/config.ts';
import type { LocalStack } from '../../src/local/stack.ts';
import { itemsOf, newMessageSid, smsParams, startTestStack } from '../support/stack.ts';

/**
 * Thousands of random and nasty webhook bodies, every one correctly signed (so they get past the
 * signature check and reach the parser and the core). None may get a 5xx; each gets 2xx TwiML or
 * a 4xx with a reason; and the stored data stays well-formed.
 */
let stack: LocalStack;
beforeAll(async () => {
  stack = await startTestStack({ RATE_REPLIES_PER_HOUR: '100000', RATE_ENROLMENTS_PER_HOUR: '100000' });
});
afterAll(() => stack?.stop());

const nasty = fc.constantFrom(
  '',
  ' ',
  'x'.repeat(10_000),
  '\u0000\u0001\u0002\u001b[31m',
  '💪🦵🔥 legs done 🏋️',
  'مرحبا legs done',
  '\u202Eenod sgel',
  "'; DROP TABLE users; --",
  '{{7*7}} ${7*7} <%= 7*7 %> #{7*7}',
  '<Response><Say>pwned</Say></Response>',
  ']]><!--',
  'STOP\u0000',
  'legs done squat 99999999999999999999kg',
  'pain 10/10/10/10',
  'TZ ../../etc/passwd',
  'TZ ' + 'A'.repeat(5000),
  'history'.repeat(300),
  '\ud800',
  'legs done\r\nX-Injected: yes',
);
const body = fc.oneof(fc.string({ maxLength: 400 }), fc.string({ unit: 'grapheme', maxLength: 200 }), nasty);
const from = fc.oneof(
  fc.integer({ min: 2_000_000, max: 2_999_999 }).map((n) => `+1555${n}`),
  fc.constantFrom('+447700900999', '+61412345678', 'not a number', '', '+', '+1', '12345', 'whatsapp:+15551234567', '+99999999999999999'),
  fc.string({ maxLength: 30 }),
);

async function post(params: Record<string, string>, raw?: string): Promise<Response> {
  const path = '/webhooks/twilio/sms';
  return fetch(stack.url + path, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': signTwilioRequest(LOCAL_TWILIO_AUTH_TOKEN, stack.publicUrl + path, params),
    },
    body: raw ?? new URLSearchParams(params).toString(),
  });
}

async function expectSensible(res: Response) {
  const text = await res.text();
  expect(res.status, text).toBeLessThan(500);
  if (res.status === 200) {
    expect(res.headers.get('content-type')).toMatch(/^text\/xml/);
    expect(text).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?><Response>(<Message>[^<]*<\/Message>)?<\/Response>$/);
  } else {
    expect([400, 403, 413]).toContain(res.status);
    expect(text.length).toBeGreaterThan(0);
  }
}

describe('hostile webhook input', () => {
  it('random and nasty bodies and senders: always 2xx TwiML or a 4xx with a reason, never a 5xx', async () => {
    const seen = new Set<string>();
    await fc.assert(
      fc.asyncProperty(from, body, fc.boolean(), async (f, b, dropSid) => {
        const params: Record<string, string> = smsParams(f, b);
        if (dropSid) delete params.MessageSid;
        if (f.startsWith('+1555')) seen.add(f);
        await expectSensible(await post(params));
      }),
      { numRuns: 1500 },
    );
    // Whatever arrived, what was stored still reads back as a user the service understands.
    for (const phone of [...seen].slice(0, 50)) {
      const user = (await itemsOf(stack, phone)).find((i) => i.type === 'user');
      if (!user) continue;
      expect(['active', 'opted_out', 'unreachable']).toContain(user.status);
      expect(Array.isArray(user.recent)).toBe(true);
      expect(typeof user.timezone).toBe('string');
    }
  }, 240_000);

  it('missing fields, duplicate parameters and junk encodings get a 4xx', async () => {
    const base = smsParams('+15552000001', 'legs done');
    const cases: [Record<string, string>, string | undefined][] = [
      [{ Body: 'legs done' }, undefined],
      [{ ...base, From: '' }, undefined],
      [base, new URLSearchParams(base).toString() + '&From=%2B15559999999'],
      [base, '%%%invalid=%zz&&&'],
      [{}, ''],
    ];
    for (const [params, raw] of cases) await expectSensible(await post(params, raw));
  });

  it('a body over the size limit is refused before parsing', async () => {
    const res = await post(smsParams('+15552000002', 'x'), 'Body=' + 'x'.repeat(100_000));
    expect(res.status).toBe(413);
  });

  it('a request with no content type or a JSON body gets a 4xx', async () => {
    for (const init of [
      { body: JSON.stringify(smsParams('+15552000003', 'hi')), headers: { 'content-type': 'application/json' } },
      { body: 'From=%2B15552000003' },
    ]) {
      const res = await fetch(stack.url + '/webhooks/twilio/sms', { method: 'POST', ...init });
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
    }
  });

  it('an unsigned request is refused (403) before its body is parsed, whatever its Content-Type claims', async () => {
    for (const path of ['/webhooks/twilio/sms', '/webhooks/twilio/status']) {
      for (const [type, body] of [
        ['multipart/form-data; boundary=x', '--x\r\njunk with no headers'],
        ['multipart/form-data', 'not multipart at all'],
        ['application/x-www-form-urlencoded', 'From=%2B15551234567&Body=legs+done&MessageSid=SM' + '0'.repeat(32)],
        ['application/json', '{"From":'],
      ] as const) {
        const res = await fetch(stack.url + path, { method: 'POST', headers: { 'content-type': type }, body });
        expect(`${path} ${type}: ${res.status} ${await res.text()}`).toBe(`${path} ${type}: 403 Invalid Twilio signature`);
      }
    }
  });

  it('the same random MessageSid twice never double-writes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 2_100_000, max: 2_199_999 }), async (n) => {
        const phone = `+1555${n}`;
        const params = smsParams(phone, 'legs done', newMessageSid());
        await post(params);
        const once = await itemsOf(stack, phone);
        await post(params);
        expect(await itemsOf(stack, phone)).toEqual(once);
      }),
      { numRuns: 40 },
    );
  });
});

describe('hostile input on the email surfaces', () => {
  const field = fc.oneof(body, fc.constantFrom('sms', 'email', 'both', 'yes', '+447700900123', 'a@b.co', 'Europe/London'));

  it('the sign-up form answers every body with a page: 2xx, 4xx, never 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(fc.dictionary(fc.constantFrom('phone', 'email', 'timezone', 'channels', 'consent', 'other'), field), async (fields) => {
        const res = await fetch(stack.url + '/', {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams(fields).toString(),
        });
        expect([200, 400, 409, 413, 429]).toContain(res.status);
        expect(res.headers.get('content-type') ?? '').toMatch(/text\/(html|plain)/);
      }),
      { numRuns: 150 },
    );
  });

  it('email links and the SES events webhook refuse junk with a 4xx', async () => {
    await fc.assert(
      fc.asyncProperty(body, fc.constantFrom('/email/confirm', '/email/unsubscribe'), fc.constantFrom('GET', 'POST'), async (junk, path, method) => {
        // A URL cannot carry a lone surrogate at all; the rest goes through as typed.
        const res = await fetch(`${stack.url}${path}?t=${encodeURIComponent(junk.replace(/[\ud800-\udfff]/g, '?'))}`, { method });
        expect(res.status).toBe(400);
      }),
      { numRuns: 100 },
    );
    await fc.assert(
      fc.asyncProperty(fc.oneof(body, fc.json().map(String), fc.object().map((o) => JSON.stringify(o))), async (junk) => {
        const res = await fetch(stack.url + '/webhooks/ses/events', { method: 'POST', body: junk });
        expect([400, 403, 413]).toContain(res.status);
      }),
      { numRuns: 150 },
    );
  });
});
