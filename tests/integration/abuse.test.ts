import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { SIGNUPS_PER_CLIENT_PER_HOUR } from '../../src/use-cases/sign-up.ts';
import { MAX_PARSED_TEXT_CHARS, parseEmail } from '../../src/adapters/email/parse.ts';
import { buildMime } from '../../src/adapters/ses/mime.ts';
import { replyTexts } from '../../src/adapters/twilio/twiml.ts';
import type { ReceiptVerdicts } from '../../src/core/inbound-email.ts';
import type { LocalStack } from '../../src/local/stack.ts';
import { MAX_INBOUND_EMAIL_BYTES } from '../../src/use-cases/handle-inbound-email.ts';
import { PASS, confirmedEmailUser, linkIn, sesEmails } from '../support/email.ts';
import { LEG_DAY, advance, itemsOf, postWebhook, smsParams, startTestStack, sweeperFor, text as smsText } from '../support/stack.ts';
import { wordStepSms } from '../../src/core/channel.ts';
import { planReminders } from '../../src/core/plan.ts';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { createDynamoClient, documentClient } from '../../src/adapters/dynamo/client.ts';
import { changeEmailStatus } from '../../src/use-cases/change-email-status.ts';
import { SMS } from '../../src/content/index.ts';
import { EMAIL_SK, PROFILE_SK, emailPk, userPk } from '../../src/adapters/dynamo/keys.ts';
import { emailUserId } from '../../src/core/user.ts';

/** Issue 13: what a stranger can do with the public surfaces, through the real app and tables. */
let stack: LocalStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(() => stack?.stop());

let n = 0;
const userOf = async (email: string) => stack.store.getUser((await stack.store.emailOwner(email))!);

/** A real MIME message, optionally with extra raw headers in front (a DKIM-Signature, say). */
async function mime(from: string, subject: string, text: string, extraHeaders = '') {
  const raw = await buildMime({ from, to: 'coach@legday.local', subject, text, messageId: `<abuse-${++n}@mail.example>` });
  return Buffer.concat([Buffer.from(extraHeaders), raw]);
}
const deliver = (raw: Buffer, verdicts: ReceiptVerdicts, envelopeFrom: string | null = null) =>
  stack.receiveEmail({ raw, sesMessageId: `abuse-${++n}`, verdicts, envelopeFrom });

describe('spoofed From (issue 13, finding 5)', () => {
  it.each(['GRAY', 'PROCESSING_FAILED', 'DISABLED'] as const)(
    'with DMARC %s, SPF and DKIM passes for a stranger\'s own domain do not let them unsubscribe someone',
    async (dmarc) => {
      const victim = `victim-${dmarc.toLowerCase()}@nodmarc.example`;
      await confirmedEmailUser(stack, victim);
      const verdicts = { ...PASS, dmarc };
      const dkim = 'DKIM-Signature: v=1; a=rsa-sha256; d=attacker.example; s=s1; h=from; bh=x; b=y\r\n';
      const spoof = await deliver(await mime(victim, 'stop', '', dkim), verdicts, 'me@attacker.example');
      expect(spoof).toMatchObject({ outcome: 'dropped', reason: expect.stringContaining('not aligned') });
      expect((await userOf(victim))?.email?.status).toBe('confirmed');

      // The owner's own mail, aligned by SPF or by DKIM, is acted on.
      const ownDkim = 'DKIM-Signature: v=1; a=rsa-sha256;\r\n d=nodmarc.example; s=s1; h=from; bh=x; b=y\r\n';
      const bySpf = await deliver(await mime(victim, 'help', ''), { ...verdicts, dkim: 'FAIL' }, 'bounces@nodmarc.example');
      expect(bySpf.outcome).toBe('answered');
      const byDkim = await deliver(await mime(victim, 'stop', '', ownDkim), { ...verdicts, spf: 'FAIL' }, 'me@elsewhere.example');
      expect(byDkim.outcome).not.toBe('dropped');
      expect((await userOf(victim))?.email?.status).toBe('unsubscribed');
    },
  );
});

describe('inbound mail size (issue 13, finding 4)', () => {
  it(`a message over ${MAX_INBOUND_EMAIL_BYTES} bytes is refused before parsing: no reply, no change`, async () => {
    const email = `big-${++n}@example.com`;
    await confirmedEmailUser(stack, email);
    const before = (await sesEmails(stack, email)).length;
    const raw = await mime(email, 'stop', 'x'.repeat(MAX_INBOUND_EMAIL_BYTES));
    expect(raw.length).toBeGreaterThan(MAX_INBOUND_EMAIL_BYTES);
    expect(await deliver(raw, PASS)).toEqual({ outcome: 'dropped', reason: 'too large' });
    expect((await userOf(email))?.email?.status).toBe('confirmed');
    expect(await sesEmails(stack, email)).toHaveLength(before);
  });

  it('only the first few KB of a body reach the reply parser; the first line still counts', async () => {
    const body = 'legs done\n' + 'On Mon wrote:\n> '.repeat(200) + 'a'.repeat(150_000);
    const parsed = await parseEmail(await mime('amy@example.com', '', body));
    expect(parsed.text.length).toBeLessThanOrEqual(MAX_PARSED_TEXT_CHARS);
    expect(parsed.text.startsWith('legs done')).toBe(true);
    const email = `long-${++n}@example.com`;
    await confirmedEmailUser(stack, email);
    expect((await deliver(await mime(email, 'Re: hi', body), PASS)).outcome).toBe('answered');
    expect((await userOf(email))?.recent).toHaveLength(1);
  });
});

describe('separate counters; STOP, START and HELP never capped (issue 13, finding 3)', () => {
  it('a flood of web sign-ups does not stop new numbers enrolling by text', async () => {
    const small = await startTestStack({ RATE_ENROLMENTS_PER_HOUR: '3' });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) {
        const res = await fetch(small.url + '/', {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ channels: 'email', email: `flood-${i}@example.com`, timezone: 'Europe/London', consent: 'yes' }).toString(),
        });
        statuses.push(res.status);
      }
      expect(statuses.filter((s) => s === 429)).toHaveLength(2);
      expect(await smsText(small, '+15557770001', 'legs done')).toBe(SMS.checkinFirst);
      expect((await small.store.getUser('+15557770001'))?.status).toBe('active');
    } finally {
      await small.stop();
    }
  });

  it('a flood of emails does not use up the replies to texts, and STOP, START and HELP are answered over every cap', async () => {
    const small = await startTestStack({ RATE_REPLIES_PER_HOUR: '3', RATE_REPLIES_PER_NUMBER_PER_HOUR: '2' });
    try {
      const emails = Array.from({ length: 4 }, (_, i) => `mailflood-${i}@example.com`);
      for (const e of emails) await confirmedEmailUser(small, e);
      const outcomes = [];
      for (const e of emails) {
        const raw = await buildMime({ from: e, to: 'coach@legday.local', subject: 'status', text: '', messageId: `<flood-${e}>` });
        outcomes.push((await small.receiveEmail({ raw, sesMessageId: `flood-${e}`, verdicts: PASS })).outcome);
      }
      expect(outcomes).toEqual(['answered', 'answered', 'answered', 'limited']);
      // Texts have their own counter.
      const phone = '+15557770002';
      expect(await smsText(small, phone, 'legs done')).toBe(SMS.checkinFirst);
      expect(await smsText(small, phone, 'status')).not.toBeNull();
      expect(await smsText(small, phone, 'status')).toBeNull();
      // Over its per-number cap: the compliance keywords are still answered, and cost nothing.
      expect(await smsText(small, phone, 'HELP')).toBe(SMS.help);
      expect(await smsText(small, phone, 'STOP')).toBe(SMS.stopped);
      expect(await smsText(small, phone, 'START')).toBe(SMS.started);
      // And by email, over the email cap: HELP is answered.
      const raw = await buildMime({ from: emails[0]!, to: 'coach@legday.local', subject: 'help', text: '', messageId: '<flood-help>' });
      expect((await small.receiveEmail({ raw, sesMessageId: 'flood-help', verdicts: PASS })).outcome).toBe('answered');
    } finally {
      await small.stop();
    }
  });
});

describe('confirmation emails from the sign-up page (issue 13, finding 1)', () => {
  const signUp = (s: LocalStack, fields: Record<string, string>) =>
    fetch(s.url + '/', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ timezone: 'Europe/London', consent: 'yes', ...fields }).toString(),
    }).then(async (r) => ({ status: r.status, html: await r.text() }));

  it('a global hourly cap (RATE_CONFIRMATION_EMAILS_PER_HOUR) stops a script keeping SES busy with fresh addresses', async () => {
    const small = await startTestStack({ RATE_CONFIRMATION_EMAILS_PER_HOUR: '3' });
    try {
      const statuses = [];
      for (let i = 0; i < 6; i++) statuses.push((await signUp(small, { channels: 'email', email: `script-${i}@example.com` })).status);
      expect(statuses).toEqual([200, 200, 200, 429, 429, 429]);
      const sent = await Promise.all(Array.from({ length: 6 }, (_, i) => sesEmails(small, `script-${i}@example.com`)));
      expect(sent.map((m) => m.length)).toEqual([1, 1, 1, 0, 0, 0]);
      expect(small.metrics.totals.get('RateLimited_confirmation_emails')).toBe(3);
      // The next hour has a fresh allowance.
      await advance(small, 60);
      expect((await signUp(small, { channels: 'email', email: 'script-5@example.com' })).status).toBe(200);
      expect(await sesEmails(small, 'script-5@example.com')).toHaveLength(1);
    } finally {
      await small.stop();
    }
  });

  it('one address gets at most 3 confirmation emails a day, however the posts are spread over the hours', async () => {
    const small = await startTestStack();
    try {
      const email = 'spread@example.com';
      for (let h = 0; h < 5; h++) {
        expect((await signUp(small, { channels: 'email', email })).status).toBe(200);
        await advance(small, 61);
      }
      expect(await sesEmails(small, email)).toHaveLength(3);
    } finally {
      await small.stop();
    }
  });

  it.each(['unsubscribed', 'bounced', 'complained'] as const)('an address that %s is never mailed from the form, and the page does not say so', async (to) => {
    const email = `gone-${to}@example.com`;
    await confirmedEmailUser(stack, email);
    await changeEmailStatus({ store: stack.store, log: quietLog, now: stack.clock.now }, { address: email, to, via: 'test', detail: 'test' });
    expect((await userOf(email))?.email?.status).toBe(to);
    const before = (await sesEmails(stack, email)).length;
    const again = await signUp(stack, { channels: 'email', email });
    const fresh = await signUp(stack, { channels: 'email', email: `fresh-${to}@example.com` });
    expect(again.status).toBe(200);
    expect(again.html.replaceAll(email, 'X')).toBe(fresh.html.replaceAll(`fresh-${to}@example.com`, 'X'));
    expect(await sesEmails(stack, email)).toHaveLength(before);
    expect((await userOf(email))?.email?.status).toBe(to);
  });

  it('a sign-up nobody proves expires (TTL), its claim on the address with it; proving it removes the expiry', async () => {
    const now = () => stack.clock.now().getTime() / 1000;
    const email = `unproven-${++n}@example.com`;
    await signUp(stack, { channels: 'email', email });
    const profile = await rawItem(userPk(emailUserId(email)), PROFILE_SK);
    const owner = await rawItem(emailPk(email), EMAIL_SK);
    for (const item of [profile, owner]) {
      expect(Number(item?.ttl)).toBeGreaterThan(now() + 7 * 86400);
      expect(Number(item?.ttl)).toBeLessThan(now() + 9 * 86400);
    }
    // A number typed into the form and never texted from, with someone's address: both expire.
    const phone = '+447700900' + String(500 + n);
    const both = `both-${n}@example.com`;
    await signUp(stack, { channels: 'both', phone, email: both });
    expect((await rawItem(userPk(phone), PROFILE_SK))?.ttl).toBeDefined();
    expect((await rawItem(emailPk(both), EMAIL_SK))?.ttl).toBeDefined();

    // Following the link proves the address: neither record expires any more.
    const link = linkIn((await sesEmails(stack, email))[0]?.body.text, '/email/confirm');
    expect((await fetch(link.replace(stack.publicUrl, stack.url), { method: 'POST' })).status).toBe(200);
    expect((await rawItem(userPk(emailUserId(email)), PROFILE_SK))?.ttl).toBeUndefined();
    expect((await rawItem(emailPk(email), EMAIL_SK))?.ttl).toBeUndefined();
    // The number's first text proves the number: its profile stays.
    await smsText(stack, phone, 'legs done');
    expect((await rawItem(userPk(phone), PROFILE_SK))?.ttl).toBeUndefined();
  });
});

const quietLog = { info() {}, warn() {}, error() {} };
async function rawItem(pk: string, sk: string) {
  const db = documentClient(createDynamoClient({ region: 'us-east-1', endpoint: stack.dynamo.endpoint }));
  const res = await db.send(new GetCommand({ TableName: stack.tableName, Key: { PK: pk, SK: sk }, ConsistentRead: true }));
  db.destroy();
  return res.Item;
}

describe('smaller findings (issue 13, finding 6)', () => {
  it('the pages send a CSP (no script but the page\'s own, by hash; no framing), nosniff and no Referer', async () => {
    for (const path of ['/', '/email/confirm?t=x', '/email/unsubscribe?t=x']) {
      const res = await fetch(stack.url + path);
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp, path).toMatch(/default-src 'none'/);
      expect(csp, path).toMatch(/frame-ancestors 'none'/);
      expect(csp, path).toMatch(/script-src 'sha256-[A-Za-z0-9+/=]+'(;|$)/);
      expect(csp, path).not.toMatch(/script-src[^;]*unsafe-inline/);
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(res.headers.get('x-frame-options'), path).toBe('DENY');
      expect(res.headers.get('referrer-policy'), path).toBe('no-referrer');
    }
    // The hash is the page's own script's.
    const html = await (await fetch(stack.url + '/')).text();
    const script = /<script>([\s\S]*?)<\/script>/.exec(html)![1]!;
    const { createHash } = await import('node:crypto');
    const csp = (await fetch(stack.url + '/')).headers.get('content-security-policy')!;
    expect(csp).toContain(`'sha256-${createHash('sha256').update(script).digest('base64')}'`);
  });

  it('/dev refuses cross-site posts: text/plain, a form, or a foreign Origin; JSON from this machine works', async () => {
    const body = JSON.stringify({ from: '+15557770003', body: 'legs done' });
    const plain = await fetch(stack.url + '/dev/sms', { method: 'POST', headers: { 'content-type': 'text/plain' }, body });
    expect(plain.status).toBe(415);
    const form = await fetch(stack.url + '/dev/clock', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'advanceMinutes=60' });
    expect(form.status).toBe(415);
    const foreign = await fetch(stack.url + '/dev/sms', { method: 'POST', headers: { 'content-type': 'application/json', origin: 'https://evil.example' }, body });
    expect(foreign.status).toBe(403);
    expect(await stack.store.getUser('+15557770003')).toBeNull();
    const local = await fetch(stack.url + '/dev/sms', { method: 'POST', headers: { 'content-type': 'application/json', origin: stack.url }, body });
    expect(local.status).toBe(200);
  });

  it('/dev bodies are validated: malformed JSON or a wrong shape is a 400 that says what to send, never a 5xx', async () => {
    const post = (path: string, body: string) => fetch(stack.url + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    for (const [path, body, reason] of [
      ['/dev/sms', '{"from": "+1555', /malformed json/i],
      ['/dev/sms', JSON.stringify({ from: '+15557770004' }), /send JSON \{"from"/],
      ['/dev/sms', JSON.stringify({ from: '+15557770004', body: 'x'.repeat(1601) }), /send JSON \{"from"/],
      ['/dev/email', JSON.stringify({ from: 'a', subject: 'legs done' }), /send JSON \{"from"/],
      ['/dev/clock', JSON.stringify({ advanceMinutes: 1.5 }), /whole number/],
      ['/dev/clock', JSON.stringify({ advanceMinutes: 60, outage: 'yes' }), /whole number/],
      ['/dev/clock', 'null', /whole number/],
    ] as const) {
      const res = await post(path, body);
      expect(res.status, `${path} ${body}`).toBe(400);
      expect(((await res.json()) as { error: string }).error, `${path} ${body}`).toMatch(reason);
    }
    expect(await stack.store.getUser('+15557770004')).toBeNull();
  });
});

describe('sending after an uncertain try (issue 13, finding 6)', () => {
  const firstStep = planReminders({ channels: ['sms'], checkinId: 'x', checkinAt: LEG_DAY, zone: 'America/New_York', gapDays: 7, caps: null })[0]!;
  /** When a number's first text is due: the planned time plus that number's own spread offset. */
  const dueFor = (phone: string) =>
    planReminders({ channels: ['sms'], checkinId: 'x', checkinAt: LEG_DAY, zone: 'America/New_York', gapDays: 7, caps: null, spreadKey: phone })[0]!.dueAt;
  let k = 0;
  const checkedIn = async () => {
    const phone = `+1555${String(8100000 + ++k).padStart(7, '0')}`;
    expect((await postWebhook(stack, smsParams(phone, 'legs done'))).status).toBe(200);
    return phone;
  };
  const reminderOf = async (phone: string) => (await itemsOf(stack, phone)).find((i) => i.type === 'reminder' && i.stepId === firstStep.stepId)!;
  const sentTo = (phone: string) => stack.twilio!.messages.filter((m) => m.to === phone);

  it('a message Twilio reports failed or undelivered is not taken for the reminder\'s send: it is sent again', async () => {
    const phone = await checkedIn();
    const firstDue = dueFor(phone);
    // Twilio takes the message, then the answer is lost: the try is uncertain. Its delivery reports
    // are lost too, so the log is what the sweeper has to go on (dated by the clock, as Twilio would).
    stack.twilio!.fault = (m) => (m.to === phone ? 'accept-then-hang' : null);
    stack.twilio!.reportDelivery = false;
    const minutes = (firstDue.getTime() - stack.clock.now().getTime()) / 60_000;
    stack.clock.advance(minutes);
    try {
      await sweeperFor(stack, 300)(firstDue);
    } finally {
      stack.twilio!.fault = null;
      stack.twilio!.reportDelivery = true;
      stack.clock.advance(-minutes);
    }
    expect(await reminderOf(phone)).toMatchObject({ status: 'pending', uncertain: true });
    // The carrier never delivered it.
    sentTo(phone)[0]!.status = 'undelivered';
    await sweeperFor(stack)(new Date(firstDue.getTime() + 2 * 60_000));
    expect(sentTo(phone).map((m) => m.body)).toEqual([wordStepSms(firstStep), wordStepSms(firstStep)]);
    expect(await reminderOf(phone)).toMatchObject({ status: 'sent', providerId: sentTo(phone)[1]!.sid });
  });

  it('a TZ change moves pending reminders but keeps their attempts and uncertain mark', async () => {
    const phone = await checkedIn();
    const firstDue = dueFor(phone);
    stack.twilio!.fault = (m) => (m.to === phone ? 'accept-then-hang' : null);
    try {
      await sweeperFor(stack, 300)(firstDue);
    } finally {
      stack.twilio!.fault = null;
    }
    const before = await reminderOf(phone);
    expect(before).toMatchObject({ status: 'pending', attempts: 1, uncertain: true });
    expect(await smsText(stack, phone, 'TZ Europe/London')).toMatch(/Europe\/London/);
    const after = await reminderOf(phone);
    expect(after.tz).toBe('Europe/London');
    expect(after).toMatchObject({ status: 'pending', attempts: 1, uncertain: true });
    // So the next try looks in Twilio's log first and sends nothing twice.
    await sweeperFor(stack)(new Date(String(after.gsi1sk)));
    expect(sentTo(phone)).toHaveLength(1);
    expect(await reminderOf(phone)).toMatchObject({ status: 'sent' });
  });
});

describe('a per-client cap on POST / (issue 13)', () => {
  it(`one client gets ${SIGNUPS_PER_CLIENT_PER_HOUR} sign-up posts an hour; another client is not affected`, async () => {
    const { startLocalStack } = await import('../../src/local/stack.ts');
    const { createFixedClock } = await import('../../src/adapters/clock.ts');
    const { readLocalConfig } = await import('../../src/config.ts');
    const endpoint = inject('dynamoEndpoint');
    // The platform says who the client is (API Gateway's sourceIp in AWS); here, the test does.
    const own = await startLocalStack({
      config: readLocalConfig({ PORT: '0', SES_PORT: '0', LOG_LEVEL: 'SILENT', SEND_RATE_PER_SECOND: '0' }),
      persist: false,
      sweepEveryMs: null,
      clock: createFixedClock(LEG_DAY),
      dynamo: { endpoint, port: Number(new URL(endpoint).port), stop: async () => {} },
      clientOf: (c) => c.req.header('x-test-client') ?? null,
    });
    try {
      const post = (client: string, i: number) =>
        fetch(own.url + '/', {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-test-client': client },
          body: new URLSearchParams({ channels: 'sms', phone: `+1555${String(8200000 + i).padStart(7, '0')}`, timezone: 'Europe/London', consent: 'yes' }).toString(),
        }).then((r) => r.status);
      const statuses = [];
      for (let i = 0; i < SIGNUPS_PER_CLIENT_PER_HOUR + 3; i++) statuses.push(await post('198.51.100.7', i));
      expect(statuses.filter((s) => s === 200)).toHaveLength(SIGNUPS_PER_CLIENT_PER_HOUR);
      expect(statuses.slice(SIGNUPS_PER_CLIENT_PER_HOUR)).toEqual([429, 429, 429]);
      // Nothing was written for the refused posts.
      expect(await own.store.getUser(`+1555${String(8200000 + SIGNUPS_PER_CLIENT_PER_HOUR).padStart(7, '0')}`)).toBeNull();
      expect(await post('203.0.113.9', 100)).toBe(200);
      expect(own.metrics.totals.get('RateLimited_signups_per_client')).toBe(3);
    } finally {
      await own.stop();
    }
  });
});

describe('tying an email to a number (issue 13, finding 2)', () => {
  const form = (phone: string, email: string) =>
    fetch(stack.url + '/', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ channels: 'both', phone, email, timezone: 'Europe/London', consent: 'yes' }).toString(),
    });
  const confirm = async (email: string) => {
    const link = linkIn((await sesEmails(stack, email))[0]?.body.text, '/email/confirm');
    expect((await fetch(link.replace(stack.publicUrl, stack.url), { method: 'POST' })).status).toBe(200);
  };
  const sms = async (phone: string, body: string) => replyTexts(await (await postWebhook(stack, smsParams(phone, body))).text());

  it('someone else\'s number with a stranger\'s own email: the number is asked, and without its YES the stranger sees nothing', async () => {
    const victim = '+447700900' + String(700 + ++n);
    const stranger = `stranger-${n}@example.com`;
    expect((await form(victim, stranger)).status).toBe(200);
    await confirm(stranger);
    // The number's owner starts texting: the first reply carries the question, with the address masked.
    const first = await sms(victim, 'legs done squat 100kg');
    expect(first).toEqual([SMS.checkinFirst, `Link email s***@example.com to this number? Reply YES and your recovery emails go there too. Not you? Ignore this: nothing is linked.`]);
    await sms(victim, 'pain 8');
    expect((await stack.store.getUser(victim))?.email).toBeNull();
    // The stranger's address is their own sign-up; emailing HISTORY shows nothing of the number's.
    const history = await deliver(await mime(stranger, 'history', ''), PASS);
    expect(history.outcome).toBe('answered');
    const mails = await sesEmails(stack, stranger);
    expect(mails.map((m) => m.body.text ?? '').join('\n')).not.toMatch(/squat|100kg|8\/10/);
    expect((await userOf(stranger))?.recent).toEqual([]);
    // The question is asked once; a later text does not ask again.
    expect(await sms(victim, 'status')).toHaveLength(1);
  });

  it('both ends proven: YES before the emailed link is followed links nothing; after it, YES ties them', async () => {
    const phone = '+447700900' + String(700 + ++n);
    const email = `both-proven-${n}@example.com`;
    await form(phone, email);
    expect(await sms(phone, 'hello')).toHaveLength(2);
    expect(await sms(phone, 'YES')).toEqual([`First follow the link we emailed to b***@example.com, then reply YES again to link it.`]);
    expect((await stack.store.getUser(phone))?.email).toBeNull();
    await confirm(email);
    expect(await sms(phone, 'Yes!')).toEqual(['Linked: recovery emails now go to b***@example.com as well as texts.']);
    expect((await stack.store.getUser(phone))?.email).toEqual({ address: email, status: 'confirmed' });
    expect(await stack.store.emailOwner(email)).toBe(phone);
    expect((await stack.store.getUser(`email:${email}`))?.email).toBeNull();
    // Now a leg day plans both channels, and YES is the opt-in keyword again.
    await sms(phone, 'legs done');
    const reminders = (await itemsOf(stack, phone)).filter((i) => i.type === 'reminder' && i.status === 'pending');
    expect(new Set(reminders.map((r) => r.channel))).toEqual(new Set(['sms', 'email']));
    expect(await sms(phone, 'YES')).toEqual([SMS.started]);
  });

  it('an address already confirmed on its own is never offered to a number typed beside it', async () => {
    const victimEmail = `in-use-${++n}@example.com`;
    await confirmedEmailUser(stack, victimEmail);
    const strangerPhone = '+447700900' + String(700 + n);
    await form(strangerPhone, victimEmail);
    expect(await stack.store.linkRequest(strangerPhone)).toBeNull();
    expect(await sms(strangerPhone, 'legs done')).toHaveLength(1);
    expect(await sms(strangerPhone, 'YES')).toEqual([SMS.started]);
    expect(await stack.store.emailOwner(victimEmail)).toBe(`email:${victimEmail}`);
  });

  it('a number that already texts is never asked from the page, and a YES with no question open is just START', async () => {
    const phone = '+447700900' + String(700 + ++n);
    await sms(phone, 'legs done');
    const email = `late-${n}@example.com`;
    await form(phone, email);
    await confirm(email);
    expect(await sms(phone, 'status')).toHaveLength(1);
    expect(await sms(phone, 'YES')).toEqual([SMS.started]);
    expect((await stack.store.getUser(phone))?.email).toBeNull();
  });
});
