import { emailReply, smsText, stepEmail, STEP_EMAILS, type EmailContent, type StepEmails } from '../content/email.ts';
import { DISCLOSURE, LOAD_TEXT, STEP_TEXT, UnknownStepError, render, stepEntry, stepLabel } from '../content/index.ts';
import { loadLine, type LoadTemplates } from '../content/load.ts';
import type { Decision } from './decision.ts';
import { formatWhen } from './local-time.ts';
import { rateKey } from './limits.ts';
import type { Channel, PlannedStep } from './plan.ts';
import { emailLive, emailUserId, smsLive, type UserState } from './user.ts';

/**
 * The ways a person reaches the coach and the coach answers: a text or an email. A decision says
 * what was meant, and a plan which step goes when; each channel words them its own way, here, at
 * the edge: a reply when it is decided, a scheduled step when it is sent. How a reply is sent (the
 * TwiML of the webhook's answer, an SES send after the write) is the use case's
 * (use-cases/handle-inbound.ts), a step's the sweeper's (use-cases/send-due-reminders.ts).
 */

/** A message worded for its channel: a text, or an email's words (links are added when it is sent). */
export type Worded = { channel: 'sms'; text: string } | { channel: 'email'; content: EmailContent };

/** A reply worded for its channel: kept with the inbound message's dedupe record, so a redelivery answers the same. */
export type Reply = Worded;

/** The words of a reply kept for a text (null for none, or for an email's). */
export const storedText = (reply: Reply | null | undefined): string | null => (reply?.channel === 'sms' ? reply.text : null);

/** One hourly reply counter: its name (reported when it is used up), its key, and whether it counts per sender or in total. */
export interface ReplyCounter {
  name: string;
  key: string;
  per: 'sender' | 'total';
}

export interface ChannelRules {
  name: Channel;
  /** Whose state a message from this address changes, when no one owns the address yet. */
  userId(address: string): string;
  /** Whether recovery messages go out to the person on this channel now. */
  live(user: UserState): boolean;
  /** The decision's reply worded for this channel (null for none); `before` is the person as read. */
  word(d: Decision, before: UserState | null): Reply | null;
  /** A scheduled step worded for this channel, as it is sent, from `wording` (the content files' unless given). */
  wordStep(step: PlannedStep, wording?: StepWording): Worded;
  /** The hourly counters a reply to `address` uses (each surface its own, so a flood on one cannot starve another). */
  replyCounters(address: string, hour: string): ReplyCounter[];
  /** The hourly counter of people a message on this channel enrols, or null when it cannot enrol anyone. */
  enrolCounter(hour: string): string | null;
}

/** The reply as a text, with the disclosure when it is the first message the number gets. */
export function wordSms(d: Decision): string | null {
  if (!d.reply) return null;
  const text = smsText(d.reply);
  return d.disclose ? `${text} ${DISCLOSURE}` : text;
}

/**
 * The reply as an email. An email has room for what a text leaves out: a new plan's reply lists
 * when each follow-up will arrive, in the person's own time.
 */
export function wordEmail(d: Decision, before: UserState | null): EmailContent | null {
  if (!d.reply) return null;
  const zone = (d.user ?? before)?.timezone ?? 'UTC';
  const planned = d.reminders.filter((r) => r.channel === 'email');
  const schedule = planned.map((r) => `${formatWhen(r.dueAt, zone)}: ${stepLabel(r.stepId)}`);
  return emailReply(d.reply, schedule.length ? { schedule } : {});
}

/** The templates scheduled steps are worded with, on each channel: each step's, and the load advice's three. */
export interface StepWording {
  sms: { steps: Readonly<Record<string, string>>; load: LoadTemplates };
  email: StepEmails;
}

/** messages.json's and email.json's. */
export const STEP_WORDING: StepWording = { sms: { steps: STEP_TEXT, load: LOAD_TEXT }, email: STEP_EMAILS };

/** A step as a text: its template with the load advice in the text's words (the generic rule when the plan gave none). */
export function wordStepSms(step: PlannedStep, texts: StepWording['sms'] = STEP_WORDING.sms): string {
  const template = stepEntry(texts.steps, step.stepId);
  if (template === undefined) throw new UnknownStepError(step.stepId, 'the texts');
  return render(template, { load: loadLine(step.vars.load ?? { kind: 'generic' }, texts.load) });
}

/** Whether a step's words take the load advice on either channel: only those reminders carry the plan's load rule. */
export function takesLoad(stepId: string, wording: StepWording = STEP_WORDING): boolean {
  const email = stepEntry(wording.email.steps, stepId);
  const lines = [stepEntry(wording.sms.steps, stepId) ?? '', ...(email ? [email.subject, ...email.intro, ...email.list, ...email.outro] : [])];
  return lines.some((line) => line.includes('{load}'));
}

export const SMS_CHANNEL: ChannelRules = {
  name: 'sms',
  userId: (phone) => phone,
  live: smsLive,
  word: (d) => {
    const text = wordSms(d);
    return text === null ? null : { channel: 'sms', text };
  },
  wordStep: (step, wording = STEP_WORDING) => ({ channel: 'sms', text: wordStepSms(step, wording.sms) }),
  replyCounters: (phone, hour) => [
    { name: 'replies_per_number', key: rateKey('reply', phone, hour), per: 'sender' },
    { name: 'replies', key: rateKey('reply', 'sms', 'all', hour), per: 'total' },
  ],
  enrolCounter: (hour) => rateKey('enrol', 'sms', hour),
};

export const EMAIL_CHANNEL: ChannelRules = {
  name: 'email',
  userId: emailUserId,
  live: emailLive,
  word: (d, before) => {
    const content = wordEmail(d, before);
    return content === null ? null : { channel: 'email', content };
  },
  wordStep: (step, wording = STEP_WORDING) => ({ channel: 'email', content: stepEmail(step.stepId, step.vars.load, wording.email) }),
  replyCounters: (address, hour) => [
    { name: 'replies_per_address', key: rateKey('reply', 'email', address, hour), per: 'sender' },
    { name: 'email_replies', key: rateKey('reply', 'email', 'all', hour), per: 'total' },
  ],
  // An email never enrols anyone: only someone who signed up is answered.
  enrolCounter: () => null,
};

/** Each channel's rules by its name (a stored reminder knows only its channel's name). */
export const CHANNELS: Readonly<Record<Channel, ChannelRules>> = { sms: SMS_CHANNEL, email: EMAIL_CHANNEL };
