import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { MemoryStack } from '../../src/local/stack.ts';
import { confirmedEmailUser, receive } from '../support/email.ts';
import { advance, postWebhook, smsParams, startMemoryStack, text } from '../support/stack.ts';

/** Logs are read by more people than phone numbers should be: capture everything the service logs. */
let stack: MemoryStack;
let captured = '';
beforeAll(async () => {
  const write = (chunk: unknown) => {
    captured += String(chunk);
    return true;
  };
  vi.spyOn(process.stdout, 'write').mockImplementation(write);
  vi.spyOn(process.stderr, 'write').mockImplementation(write);
  stack = await startMemoryStack({ LOG_LEVEL: 'INFO' });
});
afterAll(async () => {
  await stack?.stop();
  vi.restoreAllMocks();
});

describe('logs', () => {
  it('never hold a full phone number or a message body', async () => {
    const phone = '+15558675309';
    const secret = 'my back is killing me after that 200kg deadlift';
    await text(stack, phone, 'legs done squat 140kg');
    await text(stack, phone, secret);
    await text(stack, phone, 'pain 8 ' + secret);
    // A send that fails (its error text names the number) and one that works.
    stack.twilio!.fault = (m) => (m.to === phone ? { status: 400, code: 21211, message: `The 'To' number ${phone} is not a valid phone number.` } : null);
    await advance(stack, 24 * 60);
    stack.twilio!.fault = null;
    await postWebhook(stack, smsParams(phone, 'STOP'));
    await postWebhook(stack, { ...smsParams(phone, 'x'), From: 'garbage' });

    expect(captured.length).toBeGreaterThan(0);
    expect(captured).toMatch(/sms received/);
    expect(captured).toMatch(/\+1\*+5309/);
    expect(captured).not.toContain('5558675309');
    expect(captured).not.toContain('killing me');
    expect(captured).not.toContain('legs done squat');
  });

  it('never hold a full email address or an email\'s words', async () => {
    const email = 'privacy.person@example.com';
    await confirmedEmailUser(stack, email);
    await receive(stack, { from: email, subject: 'pain', text: 'my sciatica is private' });
    // Dropped mail and a bounce log too.
    await receive(stack, { from: email, subject: 'legs done', text: '' }, { spam: 'FAIL', virus: 'PASS', spf: 'PASS', dkim: 'PASS', dmarc: 'PASS' });
    const bounce = { eventType: 'Bounce', bounce: { bounceType: 'Permanent', bouncedRecipients: [{ emailAddress: email }] } };
    await fetch(stack.url + '/webhooks/ses/events', { method: 'POST', body: JSON.stringify(stack.sns.notification(bounce, stack.clock.now(), 'privacy-bounce')) });

    expect(captured).toMatch(/email status changed/);
    expect(captured).toMatch(/p\*\*\*@example\.com/);
    expect(captured).not.toContain('privacy.person');
    expect(captured).not.toContain('sciatica');
  });
});
