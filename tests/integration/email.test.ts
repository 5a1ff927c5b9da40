import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEmail } from '../../src/adapters/email/parse.ts';
import { createSesSender } from '../../src/adapters/ses/sender.ts';
import { DEFAULT_LIMITS } from '../../src/core/limits.ts';
import { spreadOffsetMs } from '../../src/core/plan.ts';
import { handleInboundEmail } from '../../src/use-cases/handle-inbound-email.ts';
import type { EmailDelivery } from '../../src/use-cases/ports.ts';
import { signUpUser } from '../../src/use-cases/sign-up.ts';
import { createLocalSnsSigner } from '../../src/adapters/sns/verify.ts';
import { LOCAL_SES_EVENTS_TOPIC } from '../../src/config.ts';
import type { LocalStack } from '../../src/local/stack.ts';
import { PASS, confirmedEmailUser, linkIn, receive, sesEmails, submitSignUp } from '../support/email.ts';
import { advance, itemsOf, outbox, startTestStack, text } from '../support/stack.ts';

// The test stack's clock starts at LEG_DAY, Monday 2 March 2026 18:00 UTC (18:00 in London).
let stack: LocalStack;
let n = 0;
const quiet = { info() {}, warn() {}, error() {} };
const address = (tag: string) => `${tag}-${++n}@example.com`;
const userOf = async (email: string) => stack.store.getUser((await stack.store.emailOwner(email))!);
const postSns = (body: unknown) =>
  fetch(stack.url + '/webhooks/ses/events', { method: 'POST', headers: { 'content-type': 'text/plain; charset=UTF-8' }, body: JSON.stringify(body) });

beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(() => stack?.stop());

describe('sign-up page and double opt-in', () => {
  it('GET / serves the form with the consent box and a zone field the browser fills', async () => {
    const res = await fetch(stack.url + '/');
    const html = await res.text();
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    expect(html).toMatch(/<form method="post" action="\/"/);
    expect(html).toMatch(/name="consent"/);
    expect(html).toMatch(/resolvedOptions\(\)\.timeZone/);
  });

  it('an email sign-up sends one confirmation email, and nothing else until its link is followed', async () => {
    const email = address('confirm');
    const res = await submitSignUp(stack, { channels: 'email', email: email.toUpperCase(), timezone: 'Europe/London', consent: 'yes' });
    expect(res.status).toBe(200);
    expect(res.html).toContain('Check your inbox');

    const [mail, ...more] = await sesEmails(stack, email);
    expect(more).toEqual([]);
    expect(mail!.subject).toBe('Confirm your email for legday');
    expect(mail!.from).toContain('coach@legday.local');
    const link = linkIn(mail!.body.text, '/email/confirm');
    expect(mail!.body.html).toContain('Confirm my email');
    expect((await userOf(email))?.email).toEqual({ address: email, status: 'pending' });

    // A GET (a mail scanner opening the link) confirms nothing.
    const page = await fetch(link.replace(stack.publicUrl, stack.url));
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<form method="post"');
    expect((await userOf(email))?.email?.status).toBe('pending');

    const confirm = await fetch(link.replace(stack.publicUrl, stack.url), { method: 'POST' });
    expect(confirm.status).toBe(200);
    expect(await confirm.text()).toContain('You&#39;re confirmed');
    const user = await userOf(email);
    expect(user?.email?.status).toBe('confirmed');
    expect(user?.timezone).toBe('Europe/London');
    const consents = (await itemsOf(stack, user!.id)).filter((i) => i.type === 'consent');
    expect(consents.map((c) => c.via)).toEqual(['sign-up page (awaiting confirmation)', 'confirmation link']);
  });

  it('refuses bad input with the reason next to the field, keeping what was typed', async () => {
    const bad = await submitSignUp(stack, { channels: 'both', phone: '12', email: 'not-an-email', timezone: 'Mars/Olympus', consent: '' });
    expect(bad.status).toBe(400);
    expect(bad.html).toContain('not a phone number we can text');
    expect(bad.html).toContain('does not look right');
    expect(bad.html).toContain('Pick a time zone');
    expect(bad.html).toContain('tick the box');
    expect(bad.html).toContain('value="not-an-email"');
    const missing = await submitSignUp(stack, { channels: 'sms', timezone: 'Europe/London', consent: 'yes' });
    expect(missing.status).toBe(400);
    expect(missing.html).toContain('Enter your mobile number');
    const huge = await submitSignUp(stack, { channels: 'both', phone: '+4'.repeat(500), email: 'a'.repeat(2000) + '@x.com', timezone: 'Z'.repeat(500), consent: 'yes' });
    expect(huge.status).toBe(400);
    // What was typed goes back escaped.
    const html = await submitSignUp(stack, { channels: 'email', email: '"><b>x</b>', timezone: 'Europe/London', consent: 'yes' });
    expect(html.status).toBe(400);
    expect(html.html).toContain('&quot;&gt;&lt;b&gt;x&lt;/b&gt;');
    expect(html.html).not.toContain('<b>x</b>');
    const tooBig = await submitSignUp(stack, { email: 'x'.repeat(10_000) });
    expect(tooBig.status).toBe(413);
  });

  it('a phone sign-up waits for the first text; an address already taken or a number already texting changes nothing, and the page answers as for anyone', async () => {
    const phone = '+447700900' + String(100 + n++);
    const res = await submitSignUp(stack, { channels: 'sms', phone, timezone: 'Europe/London', consent: 'yes' });
    expect(res.status).toBe(200);
    expect(res.html).toContain('first text confirms your number');
    expect((await stack.store.getUser(phone))?.status).toBe('pending');
    await text(stack, phone, 'legs done');
    expect((await stack.store.getUser(phone))?.status).toBe('active');
    // The number now texts us: nobody can tie an email to it from the page.
    const tieAddress = address('tie');
    const tie = await submitSignUp(stack, { channels: 'both', phone, email: tieAddress, timezone: 'Europe/London', consent: 'yes' });
    expect(tie.status).toBe(200);
    expect((await stack.store.getUser(phone))?.email).toBeNull();
    // The address only gets a double opt-in of its own, apart from the number.
    expect(await stack.store.emailOwner(tieAddress)).toBe(`email:${tieAddress}`);
    expect(await stack.store.linkRequest(phone)).toBeNull();

    const email = address('taken');
    await confirmedEmailUser(stack, email);
    const other = await submitSignUp(stack, { channels: 'both', phone: '+447700900999', email, timezone: 'Europe/London', consent: 'yes' });
    const fresh = address('fresh');
    const unknown = await submitSignUp(stack, { channels: 'both', phone: '+447700900998', email: fresh, timezone: 'Europe/London', consent: 'yes' });
    // The same status and the same words, whether the address is taken or new.
    expect(other.status).toBe(unknown.status);
    expect(other.html.replaceAll(email, 'ADDRESS')).toBe(unknown.html.replaceAll(fresh, 'ADDRESS'));
    expect(await sesEmails(stack, email)).toHaveLength(1);
  });

  it('resending is limited per address and per day, and the page does not say so', async () => {
    const email = address('resend');
    const pages: { status: number; html: string }[] = [];
    for (let i = 0; i < 5; i++) pages.push(await submitSignUp(stack, { channels: 'email', email, timezone: 'Europe/London', consent: 'yes' }));
    expect(pages.map((p) => p.status)).toEqual([200, 200, 200, 200, 200]);
    expect(new Set(pages.map((p) => p.html)).size).toBe(1);
    expect(await sesEmails(stack, email)).toHaveLength(3);
  });
});

describe('inbound email', () => {
  it('a multipart reply with a quoted thread and a non-ASCII name checks in, and is answered by email with the plan', async () => {
    const email = address('jose');
    await confirmedEmailUser(stack, email);
    const { result } = await receive(stack, {
      from: `"José Ñúñez" <${email}>`,
      subject: 'Re: How is your back today?',
      text: 'Legs done! squat 100kg\n\nCheers,\nJosé\n\nOn Mon, 2 Mar 2026 at 09:00, legday <coach@legday.local> wrote:\n> PAIN\n> How is your back today?\n',
      html: '<p>Legs done! squat 100kg</p><p>Cheers,<br>José</p><blockquote>PAIN<br>How is your back today?</blockquote>',
    });
    expect(result.outcome).toBe('answered');
    const replies = (await sesEmails(stack, email)).filter((m) => !m.subject.startsWith('Confirm'));
    expect(replies.map((m) => m.subject)).toEqual(["Leg day logged: here's your recovery plan"]);
    const user = await userOf(email);
    // 09:00 plus this person's own spread offset (0..30 minutes).
    const at = `Tue 9:${String(spreadOffsetMs(user!.id) / 60_000).padStart(2, '0')}`;
    expect(replies[0]!.body.text).toContain(`- ${at}: ice + easy walk`);
    expect(replies[0]!.body.html).toMatch(new RegExp(`<li[^>]*>${at}: ice \\+ easy walk</li>`));
    expect(user?.recent[0]?.lifts).toEqual([{ lift: 'squat', weight: 100, unit: 'kg' }]);
    const reminders = (await itemsOf(stack, user!.id)).filter((i) => i.type === 'reminder');
    expect(new Set(reminders.map((r) => r.channel))).toEqual(new Set(['email']));
    expect(reminders.every((r) => r.to === email)).toBe(true);
  });

  it('"pain" in the subject gets the back-care steps by email at once', async () => {
    const email = address('pain');
    await confirmedEmailUser(stack, email);
    await receive(stack, { from: email, subject: 'legs done', text: '' });
    const { result } = await receive(stack, { from: email, subject: 'pain', text: '' });
    expect(result.outcome).toBe('answered');
    const last = (await sesEmails(stack, email)).at(-1)!;
    expect(last.subject).toBe('Your back: what to do in the first 48 hours');
    expect(last.body.html).toMatch(/<li[^>]*>Ice only a sharp or swollen spot, for 15 minutes/);
    expect(last.body.text).toMatch(/90\/90/);
  });

  it('mail that fails SPF and DKIM, or is spam, is dropped: no reply, no change', async () => {
    const email = address('forged');
    await confirmedEmailUser(stack, email);
    const before = (await sesEmails(stack, email)).length;
    const forged = await receive(stack, { from: email, subject: 'stop', text: '' }, { spam: 'PASS', virus: 'PASS', spf: 'FAIL', dkim: 'FAIL', dmarc: 'GRAY' });
    const spam = await receive(stack, { from: email, subject: 'legs done', text: '' }, { spam: 'FAIL', virus: 'PASS', spf: 'PASS', dkim: 'PASS', dmarc: 'PASS' });
    expect(forged.result).toMatchObject({ outcome: 'dropped' });
    expect(spam.result).toMatchObject({ outcome: 'dropped' });
    expect((await userOf(email))?.email?.status).toBe('confirmed');
    expect((await userOf(email))?.recent).toEqual([]);
    expect(await sesEmails(stack, email)).toHaveLength(before);
  });

  it('the same message delivered twice is handled once', async () => {
    const email = address('twice');
    await confirmedEmailUser(stack, email);
    const { buildMime } = await import('../../src/adapters/ses/mime.ts');
    const raw = await buildMime({ from: email, to: 'coach@legday.local', subject: 'legs done', text: '' });
    const mail = { raw, sesMessageId: `dup-${n}`, verdicts: { spam: 'PASS', virus: 'PASS', spf: 'PASS', dkim: 'PASS', dmarc: 'PASS' } as const };
    expect((await stack.receiveEmail(mail)).outcome).toBe('answered');
    expect((await stack.receiveEmail(mail)).outcome).toBe('duplicate');
    expect((await userOf(email))?.recent).toHaveLength(1);
    // The reply is kept with the dedupe record as an email, not as a string to parse back.
    expect(await stack.store.inboundReply(`ses:${mail.sesMessageId}`)).toMatchObject({ channel: 'email', content: { subject: expect.stringMatching(/^Leg day logged/) } });
    expect((await sesEmails(stack, email)).filter((m) => m.subject.startsWith('Leg day logged'))).toHaveLength(1);
  });

  it('an address that never signed up gets one pointer to the page and no profile', async () => {
    const email = address('stranger');
    const { result } = await receive(stack, { from: email, subject: 'legs done', text: '' });
    expect(result.outcome).toBe('answered');
    const [mail] = await sesEmails(stack, email);
    expect(mail!.subject).toMatch(/Sign up first/);
    expect(mail!.body.text).toContain(stack.publicUrl + '/');
    expect(await stack.store.emailOwner(email)).toBeNull();
  });

  it('POST /dev/email goes through the same parsing path and lists the reply in /dev/outbox', async () => {
    const email = address('dev');
    await confirmedEmailUser(stack, email);
    const res = await fetch(stack.url + '/dev/email', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ from: email, subject: 'Re: hello', text: 'help\n\n> quoted legs done' }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ outcome: 'answered', reply: { subject: 'How legday works' } });
    const listed = await outbox(stack, email);
    expect(listed.at(-1)).toMatchObject({ to: email, channel: 'email', subject: 'How legday works' });
    const bad = await fetch(stack.url + '/dev/email', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"from":"nobody"}' });
    expect(bad.status).toBe(400);
  });
});

describe('recovery emails', () => {
  it('a full cycle sends each step once as a proper email, with one-click unsubscribe', async () => {
    const email = address('cycle');
    await confirmedEmailUser(stack, email);
    await receive(stack, { from: email, subject: 'legs done', text: '' });
    // Six hours at a time, so each sweep sends at most one step and the order is the plan's.
    for (let step = 0; step < 32; step++) await advance(stack, 6 * 60);
    const steps = (await sesEmails(stack, email)).filter((m) => !/^(Confirm|Leg day logged)/.test(m.subject));
    expect(steps.map((m) => m.subject)).toEqual([
      'Day 1 after leg day: ice the sharp spots, then walk',
      'Evening check: still inside the 48-hour ice window',
      '48 hours since leg day: swap ice for heat',
      'Mobility day: loosen the hips and hamstrings',
      'Stay loose: dead hangs and foam rolling',
      'Leg day today? Warm up, brace, and mind the 10% rule',
    ]);
    for (const m of steps) {
      expect(m.body.html).toMatch(/<ul[^>]*><li/);
      expect(m.body.text).toMatch(/^- /m);
      expect(linkIn(m.body.text, '/email/unsubscribe')).toBeTruthy();
      expect(m.body.html).toContain('/email/unsubscribe?t=');
    }
    // The full advice an SMS has to shorten.
    expect(steps[5]!.body.text).toContain('big breath into your belly');
    const recorded = stack.outbox.list(email).filter((m) => m.kind === 'email' && m.subject === steps[0]!.subject);
    expect(recorded[0]?.unsubscribeUrl).toMatch(/\/email\/unsubscribe\?t=/);
  });

  it('someone on both channels gets every step once per channel, never twice on one', async () => {
    const phone = '+447700900' + String(500 + n++);
    const email = address('both');
    const res = await submitSignUp(stack, { channels: 'both', phone, email, timezone: 'Europe/London', consent: 'yes' });
    expect(res.status).toBe(200);
    const link = linkIn((await sesEmails(stack, email))[0]!.body.text, '/email/confirm');
    await fetch(link.replace(stack.publicUrl, stack.url), { method: 'POST' });
    // The number's first text is asked whether to link the address (core/link-email.ts); YES does.
    await text(stack, phone, 'start');
    expect(await text(stack, phone, 'YES')).toMatch(/^Linked/);
    await text(stack, phone, 'legs done');
    for (let day = 0; day < 8; day++) await advance(stack, 24 * 60);
    const texts = (await outbox(stack, phone)).filter((m) => m.channel === 'sms');
    const emails = (await sesEmails(stack, email)).filter((m) => !/^(Confirm)/.test(m.subject));
    // Three reply texts (START, YES, the check-in) + 6 step texts; 6 step emails (the check-in was a text, so its reply was too).
    expect(texts).toHaveLength(9);
    expect(emails).toHaveLength(6);
    expect(new Set(emails.map((m) => m.subject)).size).toBe(6);
  });
});

describe('unsubscribe, bounces and complaints', () => {
  it('one-click unsubscribe: a POST with no cookie stops the emails at once', async () => {
    const email = address('unsub');
    await confirmedEmailUser(stack, email);
    await receive(stack, { from: email, subject: 'legs done', text: '' });
    await advance(stack, 24 * 60);
    const first = (await sesEmails(stack, email)).at(-1)!;
    const url = linkIn(first.body.text, '/email/unsubscribe').replace(stack.publicUrl, stack.url);
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(res.status).toBe(200);
    expect((await userOf(email))?.email?.status).toBe('unsubscribed');
    const count = (await sesEmails(stack, email)).length;
    for (let day = 0; day < 8; day++) await advance(stack, 24 * 60);
    expect(await sesEmails(stack, email)).toHaveLength(count);
    const user = await userOf(email);
    const reminders = (await itemsOf(stack, user!.id)).filter((i) => i.type === 'reminder');
    expect(reminders.filter((r) => r.status === 'pending')).toEqual([]);
    const consent = (await itemsOf(stack, user!.id)).filter((i) => i.type === 'consent').at(-1);
    expect(consent).toMatchObject({ action: 'opt-out', via: 'one-click unsubscribe (RFC 8058)', channel: 'email' });
  });

  it('a forged, altered or wrong-purpose token is refused and changes nothing', async () => {
    const email = address('forge');
    await confirmedEmailUser(stack, email);
    const confirmLink = linkIn((await sesEmails(stack, email))[0]!.body.text, '/email/confirm').replace(stack.publicUrl, stack.url);
    const token = new URL(confirmLink).searchParams.get('t')!;
    const [body, sig] = token.split('.');
    const otherBody = Buffer.from(JSON.stringify({ p: 'unsubscribe', a: email })).toString('base64url');
    for (const t of [`${otherBody}.${sig}`, `${body}.${sig!.slice(0, -2)}AA`, token, 'garbage', '']) {
      const res = await fetch(`${stack.url}/email/unsubscribe?t=${encodeURIComponent(t)}`, { method: 'POST', body: 'List-Unsubscribe=One-Click' });
      expect(res.status).toBe(400);
    }
    expect((await userOf(email))?.email?.status).toBe('confirmed');
  });

  it('a hard bounce from SES (signed by SNS) suppresses the address; nothing more is sent', async () => {
    const email = address('bounce');
    await confirmedEmailUser(stack, email);
    await receive(stack, { from: email, subject: 'legs done', text: '' });
    const bounce = { eventType: 'Bounce', bounce: { bounceType: 'Permanent', bounceSubType: 'General', bouncedRecipients: [{ emailAddress: email }] }, mail: {} };
    const res = await postSns(stack.sns.notification(bounce, stack.clock.now(), `bounce-${n}`));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ applied: 1 });
    expect((await userOf(email))?.email?.status).toBe('bounced');
    const count = (await sesEmails(stack, email)).length;
    for (let day = 0; day < 8; day++) await advance(stack, 24 * 60);
    expect(await sesEmails(stack, email)).toHaveLength(count);
  });

  it('a complaint stops email too; a transient bounce changes nothing', async () => {
    const a = address('complaint');
    const b = address('transient');
    await confirmedEmailUser(stack, a);
    await confirmedEmailUser(stack, b);
    await postSns(stack.sns.notification({ notificationType: 'Complaint', complaint: { complainedRecipients: [{ emailAddress: a }] } }, stack.clock.now(), `c-${n}`));
    await postSns(stack.sns.notification({ eventType: 'Bounce', bounce: { bounceType: 'Transient', bouncedRecipients: [{ emailAddress: b }] } }, stack.clock.now(), `t-${n}`));
    expect((await userOf(a))?.email?.status).toBe('complained');
    expect((await userOf(b))?.email?.status).toBe('confirmed');
  });

  it('a forged, altered, foreign-topic or unsigned SNS message is refused', async () => {
    const email = address('sns');
    await confirmedEmailUser(stack, email);
    const bounce = { eventType: 'Bounce', bounce: { bounceType: 'Permanent', bouncedRecipients: [{ emailAddress: email }] } };
    const good = stack.sns.notification(bounce, stack.clock.now(), `g-${n}`);
    const impostor = createLocalSnsSigner(LOCAL_SES_EVENTS_TOPIC);
    const cases: [unknown, number][] = [
      [{ ...good, Message: good.Message.replace('Permanent', 'Permanent ') }, 403],
      [impostor.notification(bounce, stack.clock.now(), 'x'), 403],
      [{ ...good, SigningCertURL: impostor.certUrl.replace('sns.us-east-1.amazonaws.com', 'evil.example.com') }, 403],
      [{ ...good, TopicArn: 'arn:aws:sns:us-east-1:999999999999:other' }, 403],
      [{ ...good, Signature: undefined }, 400],
      [{ ...good, Timestamp: new Date(stack.clock.now().getTime() - 3 * 86_400_000).toISOString() }, 403],
    ];
    for (const [body, status] of cases) expect((await postSns(body)).status).toBe(status);
    expect((await fetch(stack.url + '/webhooks/ses/events', { method: 'POST', body: 'not json' })).status).toBe(400);
    expect((await userOf(email))?.email?.status).toBe('confirmed');
  });
});

describe('when SES fails', () => {
  let server: Server;
  let mode: 'hang' | 'reject' | 'throttle' = 'hang';
  let sesDown: EmailDelivery;
  beforeAll(async () => {
    server = createServer((req, res) => {
      req.resume();
      if (mode === 'hang') return; // never answers
      res.writeHead(400, { 'content-type': 'text/xml' });
      const code = mode === 'reject' ? 'MessageRejected' : 'Throttling';
      res.end(`<ErrorResponse><Error><Type>Sender</Type><Code>${code}</Code><Message>${code}</Message></Error><RequestId>r</RequestId></ErrorResponse>`);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const { port } = server.address() as AddressInfo;
    const sender = createSesSender({ region: 'us-east-1', from: 'legday <coach@legday.local>', endpoint: `http://127.0.0.1:${port}`, timeoutMs: 300, now: () => stack.clock.now() });
    sesDown = { ...stack.email, sender };
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('maps a timeout, a refusal and throttling to the send errors the sweeper acts on', async () => {
    const msg = { to: 'a@example.com', subject: 's', text: 't', html: '<p>t</p>' };
    mode = 'hang';
    await expect(sesDown.sender.send(msg)).rejects.toMatchObject({ kind: 'transient', mayHaveSent: true });
    mode = 'reject';
    await expect(sesDown.sender.send(msg)).rejects.toMatchObject({ kind: 'rejected', code: 'MessageRejected' });
    mode = 'throttle';
    await expect(sesDown.sender.send(msg)).rejects.toMatchObject({ kind: 'transient' });
  });

  it('a sign-up whose confirmation email fails says so (503), and submitting again sends it', async () => {
    mode = 'hang';
    const email = address('sesdown');
    const deps = { store: stack.store, now: stack.clock.now, log: quiet, metrics: stack.metrics, enrolmentsPerHour: 100, confirmationsPerHour: 100 };
    const req = { phone: null, email, timezone: 'Europe/London', consentText: 'I agree' };
    expect(await signUpUser({ ...deps, email: sesDown }, req)).toEqual({ outcome: 'send-failed' });
    expect((await userOf(email))?.email?.status).toBe('pending');
    expect(await sesEmails(stack, email)).toEqual([]);
    expect(await signUpUser({ ...deps, email: stack.email }, req)).toEqual({ outcome: 'confirm-email' });
    expect(await sesEmails(stack, email)).toHaveLength(1);
  });

  it('a reply that fails to send is sent when SES delivers the message again, once', async () => {
    mode = 'hang';
    const email = address('retry');
    await confirmedEmailUser(stack, email);
    const { buildMime } = await import('../../src/adapters/ses/mime.ts');
    const mail = { raw: await buildMime({ from: email, to: 'coach@legday.local', subject: 'pain', text: '' }), sesMessageId: `retry-${n}`, verdicts: PASS };
    const deps = { store: stack.store, parse: parseEmail, now: stack.clock.now, newId: randomUUID, log: quiet, metrics: stack.metrics, defaultTimezone: 'UTC', limits: DEFAULT_LIMITS };
    await expect(handleInboundEmail({ ...deps, email: sesDown }, mail)).rejects.toMatchObject({ kind: 'transient' });
    expect(await handleInboundEmail({ ...deps, email: stack.email }, mail)).toEqual({ outcome: 'duplicate' });
    expect(await handleInboundEmail({ ...deps, email: stack.email }, mail)).toEqual({ outcome: 'duplicate' });
    const replies = (await sesEmails(stack, email)).filter((m) => m.subject.startsWith('Your back'));
    expect(replies).toHaveLength(1);
  });
});

describe('a stored email that cannot be read', () => {
  it('fails once with the reason, instead of being retried forever', async () => {
    const email = address('corrupt');
    await confirmedEmailUser(stack, email);
    await receive(stack, { from: email, subject: 'legs done', text: '' });
    const user = (await userOf(email))!;
    const items = await itemsOf(stack, user.id);
    const first = items.filter((i) => i.type === 'reminder').sort((a, b) => String(a.dueAt).localeCompare(String(b.dueAt)))[0]!;
    // Overwrite its stored words with something that is not an email.
    const { DynamoDBDocumentClient, UpdateCommand } = await import('@aws-sdk/lib-dynamodb');
    const { createDynamoClient } = await import('../../src/adapters/dynamo/client.ts');
    const raw = createDynamoClient({ region: 'us-east-1', endpoint: stack.dynamo.endpoint });
    await DynamoDBDocumentClient.from(raw).send(
      new UpdateCommand({ TableName: stack.tableName, Key: { PK: first.PK, SK: first.SK }, UpdateExpression: 'SET body = :b', ExpressionAttributeValues: { ':b': 'not json' } }),
    );
    raw.destroy();
    await advance(stack, 24 * 60);
    const after = (await itemsOf(stack, user.id)).find((i) => i.SK === first.SK)!;
    expect(after).toMatchObject({ status: 'failed', lastError: expect.stringMatching(/InvalidStoredEmail/) });
  });
});
