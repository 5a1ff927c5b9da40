import { describe, expect, it } from 'vitest';
import { emailReply, stepEmail, STEP_EMAILS } from '../../src/content/email.ts';
import { DISCLOSURE, LOAD_TEXT, SMS, STEP_TEXT, render } from '../../src/content/index.ts';
import { loadLine } from '../../src/content/load.ts';
import { CHANNELS, EMAIL_CHANNEL, SMS_CHANNEL, STEP_WORDING, storedText, takesLoad } from '../../src/core/channel.ts';
import { noChange } from '../../src/core/decision.ts';
import { respond } from '../../src/core/respond.ts';
import { readReminderMessage, readReply } from '../../src/adapters/dynamo/stored-reply.ts';
import { active, hoursLater, input } from '../support/lifter.ts';

describe('each channel words the same decision its own way', () => {
  it('a text: the template, and the disclosure on the first message a number gets', () => {
    const first = respond(null, input('thanks'));
    expect(first.reply).toEqual({ key: 'smallThanks', vars: {} });
    expect(first.disclose).toBe(true);
    expect(SMS_CHANNEL.word(first, null)).toEqual({ channel: 'sms', text: `${SMS.smallThanks} ${DISCLOSURE}` });
    expect(SMS_CHANNEL.word(respond(active(), input('thanks')), active())).toEqual({ channel: 'sms', text: SMS.smallThanks });
    expect(SMS_CHANNEL.word(noChange, active())).toBeNull();
  });

  it('an email: its own words, with the schedule of a new plan in the person\'s zone, and never the disclosure', () => {
    const user = active({ email: { address: 'a@x.com', status: 'confirmed' } });
    const d = respond(user, { ...input('legs done', hoursLater(7 * 24)), channel: 'email', from: 'a@x.com' });
    const worded = EMAIL_CHANNEL.word(d, user);
    expect(worded?.channel).toBe('email');
    const content = worded?.channel === 'email' ? worded.content : null;
    expect(content?.subject).toBe(emailReply(d.reply!).subject);
    expect(content?.list.some((l) => /^\w{3} \d{1,2}:\d\d: /.test(l))).toBe(true);
    expect(JSON.stringify(content)).not.toContain(DISCLOSURE);
  });

  it('each channel keeps its own counters, under their names and key shapes', () => {
    const hour = '2026-03-02T10';
    expect(SMS_CHANNEL.replyCounters('+15551234567', hour).map((c) => [c.name, c.key])).toEqual([
      ['replies_per_number', `RATE#reply#+15551234567#${hour}`],
      ['replies', `RATE#reply#sms#all#${hour}`],
    ]);
    expect(EMAIL_CHANNEL.replyCounters('a@x.com', hour).map((c) => [c.name, c.key])).toEqual([
      ['replies_per_address', `RATE#reply#email#a@x.com#${hour}`],
      ['email_replies', `RATE#reply#email#all#${hour}`],
    ]);
    expect(SMS_CHANNEL.enrolCounter(hour)).toBe(`RATE#enrol#sms#${hour}`);
    expect(EMAIL_CHANNEL.enrolCounter(hour)).toBeNull();
  });
});

describe('each channel words a scheduled step its own way', () => {
  const caps = { kind: 'caps', caps: 'squat 154kg' } as const;

  it('a text: the step\'s template with the load advice in the text\'s words; the generic rule when the plan gave none', () => {
    expect(SMS_CHANNEL.wordStep({ stepId: 'heat', vars: {} })).toEqual({ channel: 'sms', text: STEP_TEXT['heat'] });
    expect(SMS_CHANNEL.wordStep({ stepId: 'pre-leg-day', vars: { load: caps } })).toEqual({
      channel: 'sms',
      text: render(STEP_TEXT['pre-leg-day']!, { load: loadLine(caps, LOAD_TEXT) }),
    });
    expect(SMS_CHANNEL.wordStep({ stepId: 'pre-leg-day', vars: {} })).toEqual({ channel: 'sms', text: render(STEP_TEXT['pre-leg-day']!, { load: LOAD_TEXT.generic }) });
  });

  it('an email: the step\'s email with the load advice in the email\'s words', () => {
    expect(EMAIL_CHANNEL.wordStep({ stepId: 'pre-leg-day', vars: { load: caps } })).toEqual({ channel: 'email', content: stepEmail('pre-leg-day', caps) });
    expect(EMAIL_CHANNEL.wordStep({ stepId: 'ice-1', vars: {} })).toEqual({ channel: 'email', content: stepEmail('ice-1') });
  });

  it('a numbered step (a second pain check, a moved warm-up text) is worded as its base step', () => {
    expect(CHANNELS.sms.wordStep({ stepId: 'pain-check-2', vars: {} })).toEqual({ channel: 'sms', text: STEP_TEXT['pain-check'] });
    expect(CHANNELS.sms.wordStep({ stepId: 'pre-leg-day-2', vars: { load: caps } })).toEqual(CHANNELS.sms.wordStep({ stepId: 'pre-leg-day', vars: { load: caps } }));
    expect(CHANNELS.email.wordStep({ stepId: 'pain-check-3', vars: {} })).toEqual({ channel: 'email', content: stepEmail('pain-check') });
  });

  it('words from the templates it is given', () => {
    const wording = {
      sms: { steps: { ...STEP_WORDING.sms.steps, heat: 'Heat, {load}' }, load: { ...LOAD_TEXT, generic: 'gently' } },
      email: { ...STEP_EMAILS, steps: { ...STEP_EMAILS.steps, heat: { subject: 'Hot', intro: ['{load}'], list: [], outro: [] } } },
    };
    expect(SMS_CHANNEL.wordStep({ stepId: 'heat', vars: {} }, wording)).toEqual({ channel: 'sms', text: 'Heat, gently' });
    expect(EMAIL_CHANNEL.wordStep({ stepId: 'heat', vars: {} }, wording)).toEqual({
      channel: 'email',
      content: { subject: 'Hot', intro: [STEP_EMAILS.load.generic], list: [], outro: [] },
    });
  });

  it('only steps whose words take the load advice carry the plan\'s load rule', () => {
    expect(takesLoad('pre-leg-day')).toBe(true);
    expect(takesLoad('pre-leg-day-2')).toBe(true);
    for (const id of ['ice-1', 'ice-2', 'heat', 'mobility-1', 'mobility-2', 'pain-check', 'pain-check-2']) expect(takesLoad(id), id).toBe(false);
  });
});

describe('stored replies and reminder words read back typed', () => {
  const content = { subject: 'Leg day logged', intro: ['Nice.'], list: [], outro: ['See you.'] };

  it('a reply written as a map reads back as it was', () => {
    expect(readReply({ channel: 'sms', text: 'hi' }, 'SM1')).toEqual({ channel: 'sms', text: 'hi' });
    expect(readReply({ channel: 'email', content }, 'ses:1')).toEqual({ channel: 'email', content });
    expect(storedText(readReply({ channel: 'sms', text: 'hi' }, 'SM1'))).toBe('hi');
  });

  it('a record from before replies were typed: a text\'s words, or an email\'s content as JSON', () => {
    expect(readReply('hi', 'SM1')).toEqual({ channel: 'sms', text: 'hi' });
    expect(readReply(JSON.stringify(content), 'ses:1')).toEqual({ channel: 'email', content });
  });

  it('anything else is no reply', () => {
    expect(readReply(null, 'SM1')).toBeNull();
    expect(readReply('not json', 'ses:1')).toBeNull();
    expect(readReply({ channel: 'email', content: { subject: 1 } }, 'ses:1')).toBeNull();
    expect(readReply({ channel: 'fax', text: 'hi' }, 'SM1')).toBeNull();
  });

  it('a reminder planned before wording moved to send time keeps its words: a text\'s, an email\'s content (a map, or JSON from before); an email\'s that cannot be read are null', () => {
    expect(readReminderMessage('sms', 'Ice now.')).toEqual({ channel: 'sms', vars: {}, stored: 'Ice now.' });
    expect(readReminderMessage('email', content)).toEqual({ channel: 'email', vars: {}, stored: content });
    expect(readReminderMessage('email', JSON.stringify(content))).toEqual({ channel: 'email', vars: {}, stored: content });
    expect(readReminderMessage('email', 'not json')).toEqual({ channel: 'email', vars: {}, stored: null });
    expect(readReminderMessage('email', { subject: 1 })).toEqual({ channel: 'email', vars: {}, stored: null });
  });

  it('a reminder planned since says what its step says, unworded: its vars, or no body for none', () => {
    const caps = { load: { kind: 'caps', caps: 'squat 154kg' } };
    const deload = { load: { kind: 'deload', deload: null } };
    for (const channel of ['sms', 'email'] as const) {
      expect(readReminderMessage(channel, undefined)).toEqual({ channel, vars: {} });
      expect(readReminderMessage(channel, caps)).toEqual({ channel, vars: caps });
      expect(readReminderMessage(channel, deload)).toEqual({ channel, vars: deload });
      expect(readReminderMessage(channel, { load: { kind: 'generic' } })).toEqual({ channel, vars: { load: { kind: 'generic' } } });
    }
    // Anything else in a text's body is a broken item (the caller names it).
    expect(readReminderMessage('sms', null)).toBeUndefined();
    expect(readReminderMessage('sms', 42)).toBeUndefined();
    expect(readReminderMessage('sms', { load: { kind: 'caps' } })).toBeUndefined();
    expect(readReminderMessage('sms', { load: { kind: 'generic' }, colour: 'red' })).toBeUndefined();
    expect(readReminderMessage('email', null)).toBeUndefined();
  });
});
