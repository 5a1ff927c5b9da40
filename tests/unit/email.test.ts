import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { parseEmail } from '../../src/adapters/email/parse.ts';
import { createLinkSigner } from '../../src/adapters/link-tokens.ts';
import { buildMime } from '../../src/adapters/ses/mime.ts';
import { createLocalSnsSigner, createSnsVerifier, isSnsUrl, stringToSign } from '../../src/adapters/sns/verify.ts';
import { emailReply, layoutEmail, smsText, stepEmail, type Said } from '../../src/content/email.ts';
import { PLAN, SMS, type SmsName } from '../../src/content/index.ts';
import { loadRule } from '../../src/content/load.ts';
import { cleanSubject, normalizeEmail, readEmail } from '../../src/core/inbound-email.ts';
import { inContext } from '../../src/core/understanding/index.ts';
import { londoner } from '../support/lifter.ts';
import { respond } from '../../src/core/respond.ts';
import { emailStatusChange } from '../../src/core/channel-status.ts';
import type { UserState } from '../../src/core/user.ts';
import { EMAIL_CHANNEL } from '../../src/core/channel.ts';
import { readSesEvent } from '../../src/core/ses-events.ts';
import { signUp } from '../../src/core/sign-up.ts';

const now = new Date('2026-03-02T18:00:00Z');

describe('email wording', () => {
  it('every plan step has a proper email: a subject, a list of steps, nothing left unfilled', () => {
    for (const id of [...PLAN.steps.map((s) => s.id), 'pain-check-1']) {
      for (const caps of [null, 'squat 154kg, deadlift 198kg']) {
        const e = stepEmail(id, loadRule(caps));
        expect(e.subject.length).toBeGreaterThan(10);
        expect(e.list.length).toBeGreaterThan(0);
        expect(JSON.stringify(e)).not.toMatch(/\{\w+\}/);
      }
    }
    expect(stepEmail('pre-leg-day', loadRule('squat 154kg')).list.join(' ')).toContain('squat 154kg');
  });

  it('every SMS reply has its own email wording, and it is not the SMS text', () => {
    const vars = {
      score: 8, days: 3, weeks: 3, deload: 'squat 100-110kg', label: 'heat', when: 'Wed 18:00', zone: 'Europe/London', entries: ['Mon 2 Mar'],
      noticed: 'fever, chills or night sweats', heatAt: 'Wed 18:00', day: 'Mon 2 Mar', until: 'Mon 9 Mar', next: 'Mon 9 Mar', email: 'a***@example.com',
    };
    for (const key of Object.keys(SMS) as SmsName[]) {
      const nested = {
        painReply: { key: 'painEarly', vars: {} },
        care: { key: 'painLate', vars: {} },
        iceOrHeat: { key: 'painIce', vars: {} },
        after: { key: 'answerIceDurationLate', vars: {} },
        ...(key === 'resumed' || key === 'resumedAfterBreak' || key === 'notPaused' ? { next: { key: 'resumeNothing' as const, vars: {} } } : {}),
      } as const;
      const said: Said = { key, vars: { ...vars, ...nested } };
      const e = emailReply(said);
      expect(JSON.stringify(e)).not.toMatch(/\{\w+\}/);
      if (key === 'painIce' || key === 'painHeat') continue;
      expect(e.subject.length, key).toBeGreaterThan(5);
      expect([...e.intro, ...e.list].join(' '), key).not.toBe(smsText(said));
    }
  });

  it('a nested reply renders in place: the SMS inline, the email as list items', () => {
    const said: Said = { key: 'checkinWithPain', vars: { painReply: { key: 'painLate', vars: {} } } };
    expect(smsText(said)).toBe(`Leg day logged. ${SMS.painLate}`);
    expect(emailReply(said).list[0]).toMatch(/warm shower or a heat pack/);
  });

  it('lays out text and HTML with the unsubscribe link, escaping what it must', () => {
    const out = layoutEmail({ subject: 'A & B', intro: ['<hi>'], list: ['one', 'two'], outro: [] }, { unsubscribeUrl: 'https://x.example/email/unsubscribe?t=a.b' });
    expect(out.text).toContain('- one\n- two');
    expect(out.text).toContain('Unsubscribe: https://x.example/email/unsubscribe?t=a.b');
    expect(out.html).toContain('&lt;hi&gt;');
    expect(out.html).toContain('<title>A &amp; B</title>');
    expect(out.html).toMatch(/<li[^>]*>one<\/li><li[^>]*>two<\/li>/);
    expect(out.html).toContain('href="https://x.example/email/unsubscribe?t=a.b"');
    // A one-off email (the confirmation) carries no list footer.
    const once = layoutEmail({ subject: 's', intro: ['i'], list: [], outro: [] }, { action: { label: 'Confirm', url: 'https://x.example/c' } });
    expect(once.text).not.toMatch(/unsubscribe/i);
    expect(once.html).toContain('href="https://x.example/c"');
  });
});

describe('MIME (nodemailer) and parsing (mailparser)', () => {
  it('carries RFC 8058 one-click unsubscribe headers and both parts', async () => {
    const raw = await buildMime({
      from: 'legday <coach@legday.example>',
      to: 'jose@example.com',
      subject: 'Día 1: hielo',
      text: 'plain',
      html: '<p>html</p>',
      unsubscribeUrl: 'https://x.example/email/unsubscribe?t=abc.def',
    });
    const mail = await simpleParser(raw);
    expect(String(raw)).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r$/m);
    expect(String(raw)).toMatch(/^List-Unsubscribe: <https:\/\/x\.example\/email\/unsubscribe\?t=abc\.def>\r$/m);
    expect(mail.subject).toBe('Día 1: hielo');
    expect(mail.text?.trim()).toBe('plain');
    expect(mail.html).toContain('<p>html</p>');
  });

  it('reads the sender and only their own words from a reply', async () => {
    const raw = await buildMime({
      from: '"Zoë Ærø" <Zoe@Example.COM>',
      to: 'coach@legday.example',
      subject: 'Re: How is your back today?',
      text: '6\n\nOn Tue, 3 Mar 2026 at 09:00, legday <coach@legday.example> wrote:\n> How is your back today?\n> Reply with a number',
      html: '<p>6</p><blockquote>How is your back today?</blockquote>',
    });
    const parsed = await parseEmail(raw);
    expect(parsed.from).toBe('zoe@example.com');
    expect(parsed.text.trim()).toBe('6');
    const u = readEmail(parsed.subject, parsed.text, { painCheckOpen: true });
    expect(u.intent).toEqual({ kind: 'score' });
    expect(u.entities.score).toBe(6);
  });
});

describe('inbound email rules (pure)', () => {
  it('takes the first own line past the greeting, else the whole message, else the subject', () => {
    expect(readEmail('Re: Day 1 after leg day', 'pain 7\nrough night').intent.kind).toBe('soreness');
    expect(readEmail('legs done', '').intent.kind).toBe('checkin');
    expect(readEmail('Fwd: RE: legs done', '').intent.kind).toBe('checkin');
    expect(readEmail('Re: Evening check', 'Hi coach,\n\nLegs done yesterday, squat 120kg.\n\nCheers,\nSam').intent.kind).toBe('checkin');
    expect(readEmail('Re: Evening check', 'Hey coach,\nThanks!\n\nSam').intent).toEqual({ kind: 'smalltalk', tone: 'thanks' });
    expect(readEmail('', 'purple monkey dishwasher').intent.kind).toBe('unknown');
    expect(cleanSubject('Re: AW: Fwd[2]: legs done')).toBe('legs done');
  });

  it('an open pain check can answer from an earlier line than the one chosen without it, from the same reading', () => {
    const u = readEmail('status', 'dunno, around a 6 I guess, walking ok');
    expect(u.intent.kind).toBe('status');
    const c = inContext(u, { painCheckOpen: true });
    expect(c.intent.kind).toBe('score');
    expect(c.entities.score).toBe(6);
    expect(c.normalised).toBe(u.readings.tried[0]!.normalised);
    expect(c.triage).toBe(u.triage);
  });

  it('triages the whole message, not only its first line', () => {
    const body = 'Hi coach,\n\nLegs done, squats felt good.\n\nOne odd thing: since yesterday I cant feel my bum when I wipe.\n\nThanks,\nAl';
    const u = readEmail('Re: Day 1 after leg day', body);
    expect(u.intent.kind).toBe('checkin');
    expect(u.triage).toMatchObject({ tier: 'emergency', signs: ['saddle-numbness'] });
    expect(readEmail('fever', 'legs done').triage.tier).toBe('soon');
  });

  it('normalizes addresses and refuses what is not one', () => {
    expect(normalizeEmail('  You@Example.COM ')).toBe('you@example.com');
    for (const bad of ['you', 'you@', '@example.com', 'a b@example.com', 'you@example', 'x@-bad.com']) expect(normalizeEmail(bad), bad).toBeNull();
  });

  it('turns SES events into status changes: hard bounces and complaints only', () => {
    const emailEventChanges = (event: unknown) => readSesEvent(event).changes;
    expect(emailEventChanges({ eventType: 'Bounce', bounce: { bounceType: 'Permanent', bouncedRecipients: [{ emailAddress: 'A@x.com' }] } })).toEqual([
      { address: 'a@x.com', to: 'bounced', detail: 'SES hard bounce (General)' },
    ]);
    expect(emailEventChanges({ notificationType: 'Bounce', bounce: { bounceType: 'Transient', bouncedRecipients: [{ emailAddress: 'a@x.com' }] } })).toEqual([]);
    expect(emailEventChanges({ eventType: 'Complaint', complaint: { complainedRecipients: [{ emailAddress: 'b@x.com' }] } })[0]).toMatchObject({ to: 'complained' });
    expect(emailEventChanges({ eventType: 'Delivery' })).toEqual([]);
    expect(emailEventChanges('nonsense')).toEqual([]);
  });
});

describe('signed links', () => {
  const signer = createLinkSigner('a-test-secret-of-enough-length');
  it('verifies its own tokens for the right purpose, and nothing else', () => {
    const t = signer.sign('unsubscribe', 'a@x.com');
    expect(signer.verify(t, 'unsubscribe', now)).toBe('a@x.com');
    expect(signer.verify(t, 'confirm', now)).toBeNull();
    expect(createLinkSigner('another-secret-of-enough-length').verify(t, 'unsubscribe', now)).toBeNull();
    const [body, sig] = t.split('.');
    const swapped = Buffer.from(JSON.stringify({ p: 'unsubscribe', a: 'b@x.com' })).toString('base64url');
    expect(signer.verify(`${swapped}.${sig}`, 'unsubscribe', now)).toBeNull();
    expect(signer.verify(`${body}.`, 'unsubscribe', now)).toBeNull();
  });
  it('confirmation tokens expire; unsubscribe tokens do not', () => {
    const t = signer.sign('confirm', 'a@x.com', new Date(now.getTime() + 1000));
    expect(signer.verify(t, 'confirm', now)).toBe('a@x.com');
    expect(signer.verify(t, 'confirm', new Date(now.getTime() + 2000))).toBeNull();
    expect(signer.verify(signer.sign('unsubscribe', 'a@x.com'), 'unsubscribe', new Date('2040-01-01'))).toBe('a@x.com');
  });
});

describe('SNS signatures', () => {
  const signer = createLocalSnsSigner('arn:aws:sns:us-east-1:123456789012:events');
  const verify = createSnsVerifier({ topicArn: signer.topicArn, certificate: signer.certificate });
  it('accepts a signed message and refuses any change to it', async () => {
    const m = signer.notification({ eventType: 'Bounce' }, now, 'm1');
    expect((await verify(m, now)).ok).toBe(true);
    for (const field of ['Message', 'MessageId', 'Timestamp', 'Type'] as const) {
      const changed = { ...m, [field]: field === 'Type' ? 'SubscriptionConfirmation' : field === 'Timestamp' ? new Date(now.getTime() - 1000).toISOString() : m[field] + 'x' };
      expect((await verify(changed, now)).ok, field).toBe(false);
    }
  });
  it('builds the canonical string in SNS field order', () => {
    const m = signer.notification('x', now, 'id');
    expect(stringToSign({ ...m, Subject: 's' })).toBe(`Message\n"x"\nMessageId\nid\nSubject\ns\nTimestamp\n${now.toISOString()}\nTopicArn\n${m.TopicArn}\nType\nNotification\n`);
  });
  it('only trusts certificates served by SNS over HTTPS, from the topic\'s own region, with no query string', () => {
    const region = 'eu-west-1';
    expect(isSnsUrl('https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-abc.pem', { region, pathEnd: '.pem' })).toBe(true);
    for (const bad of [
      'http://sns.eu-west-1.amazonaws.com/a.pem',
      'https://sns.eu-west-1.amazonaws.com.evil.com/a.pem',
      'https://evil.com/sns.us-east-1.amazonaws.com/a.pem',
      'https://sns.eu-west-1.amazonaws.com:8443/a.pem',
      // Any single label used to pass: only the topic's region does now.
      'https://sns.attacker-label.amazonaws.com/a.pem',
      'https://sns.us-east-1.amazonaws.com/a.pem',
      'https://sns.eu-west-1.amazonaws.com/a.pem?x=1',
      'https://sns.eu-west-1.amazonaws.com/a.pem?',
      'https://sns.eu-west-1.amazonaws.com/a.pem#x.pem',
      'https://user@sns.eu-west-1.amazonaws.com/a.pem',
      'not a url',
    ]) {
      expect(isSnsUrl(bad, { region, pathEnd: '.pem' }), bad).toBe(false);
    }
    // A SubscribeURL carries its query, and is pinned to the region too.
    expect(isSnsUrl('https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription&Token=t', { region, query: true })).toBe(true);
    expect(isSnsUrl('https://sns.evil.amazonaws.com/?Action=ConfirmSubscription&Token=t', { region, query: true })).toBe(false);
  });

  it('refuses signature version 1 (SHA1), even correctly signed', async () => {
    const { createSign, generateKeyPairSync } = await import('node:crypto');
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const v1 = { ...signer.notification({ eventType: 'Bounce' }, now, 'v1'), SignatureVersion: '1' };
    const sha1 = createSign('RSA-SHA1');
    sha1.update(stringToSign(v1 as never), 'utf8');
    const signed = { ...v1, Signature: sha1.sign(privateKey, 'base64') };
    const check = await createSnsVerifier({ topicArn: signer.topicArn, certificate: async () => pem })(signed, now);
    expect(check).toMatchObject({ ok: false, status: 400 });
  });

  it('caches at most a few certificates, and only asks the topic region\'s SNS host', async () => {
    const { fetchSnsCertificate, SNS_CERT_CACHE_SIZE } = await import('../../src/adapters/sns/verify.ts');
    const get = fetchSnsCertificate('arn:aws:sns:eu-west-1:123456789012:events', 50);
    await expect(get('https://sns.us-east-1.amazonaws.com/a.pem')).rejects.toThrow(/not an SNS certificate URL/);
    expect(SNS_CERT_CACHE_SIZE).toBeLessThanOrEqual(16);
  });
});

describe('sign-up and address status (pure)', () => {
  const req = { phone: null, email: 'a@x.com', timezone: 'Europe/London', consentText: 'I agree' };
  const base = londoner;

  it('a new email sign-up is pending until confirmed; a taken address or a texting number is refused', () => {
    const fresh = signUp(null, null, req, now);
    expect(fresh.outcome).toBe('confirm-email');
    expect(fresh.decision?.user).toMatchObject({ id: 'email:a@x.com', phone: null, email: { address: 'a@x.com', status: 'pending' } });
    expect(signUp(null, 'email:someone-else', req, now).outcome).toBe('email-taken');
    expect(signUp(base(), null, { ...req, phone: '+447700900123' }, now).outcome).toBe('phone-in-use');
    expect(signUp(base({ status: 'pending' }), null, { ...req, phone: '+447700900123' }, now).outcome).toBe('confirm-email');
    expect(signUp(base({ email: { address: 'a@x.com', status: 'confirmed' } }), '+447700900123', { ...req, phone: '+447700900123' }, now).outcome).toBe(
      'already-confirmed',
    );
  });

  it('a confirmation link cannot undo a later unsubscribe; a complaint outranks an unsubscribe', () => {
    const user = base({ email: { address: 'a@x.com', status: 'unsubscribed' } });
    expect(emailStatusChange(user, { address: 'a@x.com', to: 'confirmed', via: 'link', detail: '', now })).toBeNull();
    expect(emailStatusChange(user, { address: 'a@x.com', to: 'bounced', via: 'ses', detail: '', now })).toBeNull();
    expect(emailStatusChange(user, { address: 'a@x.com', to: 'complained', via: 'ses', detail: '', now })?.user?.email?.status).toBe('complained');
    expect(emailStatusChange(user, { address: 'b@x.com', to: 'complained', via: 'ses', detail: '', now })).toBeNull();
  });

  it('an email check-in plans each step on every live channel; a text STOP leaves the emails alone', () => {
    const both = base({ email: { address: 'a@x.com', status: 'confirmed' } });
    const d = respond(both, { channel: 'email', from: 'a@x.com', text: 'legs done', now, newId: () => 'c1', defaultTimezone: 'UTC' });
    const byChannel = (ch: string) => d.reminders.filter((r) => r.channel === ch).map((r) => r.stepId);
    expect(byChannel('sms')).toEqual(byChannel('email'));
    expect(byChannel('sms').length).toBeGreaterThan(3);
    const after = d.user!;
    const stop = respond(after, { from: '+447700900123', text: 'STOP', now, newId: () => 'x', defaultTimezone: 'UTC' });
    expect(stop.cancelChannel).toEqual({ channel: 'sms', series: ['c1'] });
    expect(stop.cancelSeries).toEqual([]);
    expect(stop.user?.email?.status).toBe('confirmed');
  });

  it('an email from a pending address confirms it; an email STOP unsubscribes without a reply', () => {
    const pending = base({ id: 'email:a@x.com', phone: null, status: 'pending', email: { address: 'a@x.com', status: 'pending' } });
    const d = respond(pending, { channel: 'email', from: 'a@x.com', text: 'help', now, newId: () => 'x', defaultTimezone: 'UTC' });
    expect(d.user?.email?.status).toBe('confirmed');
    expect(d.consent).toMatchObject({ via: 'email from the address', channel: 'email' });
    const stop = respond(d.user, { channel: 'email', from: 'a@x.com', text: 'stop', now, newId: () => 'x', defaultTimezone: 'UTC' });
    expect(stop.user?.email?.status).toBe('unsubscribed');
    expect(stop.reply).toBeNull();
    expect(EMAIL_CHANNEL.word(stop, d.user)).toBeNull();
  });
});
