import { randomUUID } from 'node:crypto';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoClient, documentClient } from '../../src/adapters/dynamo/client.ts';
import { STEP_EMAILS } from '../../src/content/email.ts';
import { STEP_WORDING, type StepWording } from '../../src/core/channel.ts';
import type { LocalStack } from '../../src/local/stack.ts';
import { linkIn, sesEmails, submitSignUp } from '../support/email.ts';
import { itemsOf, startTestStack, sweeperFor, text } from '../support/stack.ts';

/**
 * A plan says which step goes when; the sweeper words each step for its channel as it sends it
 * (core/channel.ts), so a fix to the wording reaches reminders already planned. On DynamoDB Local:
 * what an item holds, through the due index's projection, is the point.
 */
let stack: LocalStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(() => stack?.stop());

/** The real sweeper over the stack's table and stand-ins, wording with `wording` (the content files' when not given). */
const sweep = (now: Date, wording?: StepWording, timeoutMs = 2000) => sweeperFor(stack, timeoutMs, wording)(now);

/** messages.json and email.json as they might read after a fix: two steps and the caps line reworded. */
const reworded: StepWording = {
  sms: {
    steps: { ...STEP_WORDING.sms.steps, 'ice-1': 'Ice, reworded.', 'pre-leg-day': 'Warm up, reworded. {load}' },
    load: { ...STEP_WORDING.sms.load, caps: 'Caps now: {caps}.' },
  },
  email: {
    steps: { ...STEP_EMAILS.steps, 'ice-1': { ...STEP_EMAILS.steps['ice-1']!, subject: 'Ice, reworded' } },
    load: { ...STEP_EMAILS.load, caps: 'Caps by email now: {caps}.' },
  },
};
const CAPS = 'squat 154kg, deadlift 198kg';

let n = 0;
/** A London number with its email linked (so each step goes on both channels), who texted a leg day with lifts. */
async function lifterOnBoth() {
  const phone = `+447700900${String(700 + ++n)}`;
  const email = `wording-${n}-${randomUUID().slice(0, 8)}@example.com`;
  expect((await submitSignUp(stack, { channels: 'both', phone, email, timezone: 'Europe/London', consent: 'yes' })).status).toBe(200);
  const link = linkIn((await sesEmails(stack, email))[0]!.body.text, '/email/confirm');
  await fetch(link.replace(stack.publicUrl, stack.url), { method: 'POST' });
  await text(stack, phone, 'start');
  expect(await text(stack, phone, 'YES')).toMatch(/^Linked/);
  await text(stack, phone, 'legs done squat 140kg deadlift 180kg');
  return { phone, email };
}

const reminders = async (phone: string) => (await itemsOf(stack, phone)).filter((i) => i.type === 'reminder');
/** When a step falls due on both channels. */
const dueOf = async (phone: string, stepId: string) =>
  new Date(Math.max(...(await reminders(phone)).filter((i) => i.stepId === stepId).map((i) => Date.parse(String(i.dueAt)))));
const textsTo = (phone: string) => stack.twilio!.messages.filter((m) => m.to === phone).map((m) => m.body);
const recoveryEmailsTo = async (email: string) => (await sesEmails(stack, email)).filter((m) => !/^(Confirm|Leg day logged)/.test(m.subject));

describe('reminders are worded when they are sent', () => {
  it('stored unworded: no words in any item, and the plan\'s load rule only where the step\'s words take it', async () => {
    const { phone } = await lifterOnBoth();
    const items = await reminders(phone);
    expect(items.map((i) => `${i.channel} ${i.stepId}`).sort()).toEqual(
      ['ice-1', 'ice-2', 'heat', 'mobility-1', 'mobility-2', 'pre-leg-day'].flatMap((s) => [`email ${s}`, `sms ${s}`]).sort(),
    );
    for (const i of items) {
      if (i.stepId === 'pre-leg-day') expect(i.body, `${i.channel}`).toEqual({ load: { kind: 'caps', caps: CAPS } });
      else expect(i, `${i.channel} ${i.stepId}`).not.toHaveProperty('body');
    }
  });

  it('wording changed after the plan was made is the wording sent, on both channels', async () => {
    const { phone, email } = await lifterOnBoth();
    await sweep(await dueOf(phone, 'ice-1'), reworded);
    // The warm-up text is the most current of everything due by then: it goes, the rest wait their turn.
    await sweep(await dueOf(phone, 'pre-leg-day'), reworded);
    expect(textsTo(phone)).toEqual(['Ice, reworded.', `Warm up, reworded. Caps now: ${CAPS}.`]);
    const emails = await recoveryEmailsTo(email);
    expect(emails.map((m) => m.subject)).toEqual(['Ice, reworded', STEP_EMAILS.steps['pre-leg-day']!.subject]);
    expect(emails[1]!.body.text).toContain(`Caps by email now: ${CAPS}.`);
    expect(linkIn(emails[0]!.body.text, '/email/unsubscribe')).toBeTruthy();
  });

  it('a step taken out of the wording after it was planned is marked failed once, with the reason, and nothing is sent', async () => {
    const { phone, email } = await lifterOnBoth();
    const due = await dueOf(phone, 'ice-1');
    const { 'ice-1': _sms, ...smsSteps } = STEP_WORDING.sms.steps;
    const { 'ice-1': _email, ...emailSteps } = STEP_EMAILS.steps;
    const withoutIce1: StepWording = { sms: { ...STEP_WORDING.sms, steps: smsSteps }, email: { ...STEP_EMAILS, steps: emailSteps } };
    const result = await sweep(due, withoutIce1);
    expect(result).toMatchObject({ failed: 2, retrying: 0 });
    expect(textsTo(phone)).toEqual([]);
    expect(await recoveryEmailsTo(email)).toEqual([]);
    for (const channel of ['sms', 'email']) {
      expect((await reminders(phone)).find((i) => i.stepId === 'ice-1' && i.channel === channel)).toMatchObject({ status: 'failed', lastError: expect.stringContaining('StepNotWorded') });
    }
    // Nothing went, so the hour stays free for the person's next message.
    expect((await itemsOf(stack, phone)).filter((i) => i.type === 'slot')).toEqual([]);
  });

  it('a template that cannot be filled (a typo in a placeholder) leaves the reminder pending, and it goes once the wording is fixed', async () => {
    const { phone } = await lifterOnBoth();
    const due = await dueOf(phone, 'ice-1');
    const typo: StepWording = { ...STEP_WORDING, sms: { ...STEP_WORDING.sms, steps: { ...STEP_WORDING.sms.steps, 'ice-1': 'Ice {laod}' } } };
    expect(await sweep(due, typo)).toMatchObject({ failed: 0, sent: [expect.objectContaining({ channel: 'email', stepId: 'ice-1' })] });
    expect(textsTo(phone)).toEqual([]);
    expect((await reminders(phone)).find((i) => i.stepId === 'ice-1' && i.channel === 'sms')).toMatchObject({ status: 'pending', attempts: 0 });
    await sweep(new Date(due.getTime() + 60_000));
    expect(textsTo(phone)).toEqual([STEP_WORDING.sms.steps['ice-1']]);
  });

  it('an uncertain try is looked up in Twilio\'s log by the text as worded when it is sent', async () => {
    const { phone } = await lifterOnBoth();
    const due = await dueOf(phone, 'ice-1');
    stack.twilio!.reportDelivery = false;
    stack.twilio!.fault = (m) => (m.to === phone ? 'accept-then-hang' : null);
    // The stand-in dates its messages by the stack's clock, as Twilio would by its own.
    const minutes = (due.getTime() - stack.clock.now().getTime()) / 60_000;
    stack.clock.advance(minutes);
    try {
      expect((await sweep(due, reworded, 300)).retrying).toBeGreaterThanOrEqual(1);
    } finally {
      stack.twilio!.fault = null;
      stack.clock.advance(-minutes);
    }
    try {
      const lookups = stack.twilio!.lookups;
      await sweep(new Date(due.getTime() + 2 * 60_000), reworded);
      expect(stack.twilio!.lookups).toBe(lookups + 1);
    } finally {
      stack.twilio!.reportDelivery = true;
    }
    expect(textsTo(phone)).toEqual(['Ice, reworded.']);
    expect((await reminders(phone)).find((i) => i.stepId === 'ice-1' && i.channel === 'sms')).toMatchObject({ status: 'sent' });
  });
});

describe('reminders planned before wording moved to send time (items already in a deployed table)', () => {
  it('are sent with the words they were planned with: a text\'s, an email\'s as a map or as JSON', async () => {
    const { phone, email } = await lifterOnBoth();
    const items = await reminders(phone);
    const db = documentClient(createDynamoClient({ region: 'us-east-1', endpoint: stack.dynamo.endpoint }));
    const storeWords = async (stepId: string, channel: string, words: unknown) => {
      const item = items.find((i) => i.stepId === stepId && i.channel === channel)!;
      await db.send(new UpdateCommand({ TableName: stack.tableName, Key: { PK: item.PK, SK: item.SK }, UpdateExpression: 'SET body = :b', ExpressionAttributeValues: { ':b': words } }));
    };
    const oldEmail = (subject: string) => ({ subject, intro: ['Planned last week.'], list: ['Ice 15 min'], outro: [] });
    await storeWords('ice-1', 'sms', 'Ice, as planned.');
    await storeWords('ice-1', 'email', oldEmail('Ice, as planned'));
    await storeWords('pre-leg-day', 'sms', 'Warm up, as planned.');
    await storeWords('pre-leg-day', 'email', JSON.stringify(oldEmail('Warm up, as planned')));
    db.destroy();

    // Today's wording does not touch them.
    await sweep(await dueOf(phone, 'ice-1'), reworded);
    await sweep(await dueOf(phone, 'pre-leg-day'), reworded);
    expect(textsTo(phone)).toEqual(['Ice, as planned.', 'Warm up, as planned.']);
    const emails = await recoveryEmailsTo(email);
    expect(emails.map((m) => m.subject)).toEqual(['Ice, as planned', 'Warm up, as planned']);
    for (const m of emails) {
      expect(m.body.text).toContain('Planned last week.');
      expect(linkIn(m.body.text, '/email/unsubscribe')).toBeTruthy();
    }
  });
});
