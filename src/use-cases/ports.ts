import type { Channel, NewReminder, StepVars } from '../core/plan.ts';
import type { LinkRequest } from '../core/link-email.ts';
import type { EmailContent } from '../content/email.ts';
import type { Reply } from '../core/channel.ts';
import type { Change } from '../core/decision.ts';
import type { ConsentEvent, UserState } from '../core/user.ts';

/** Ports: what the use cases need from the outside world. Adapters in src/adapters implement them. */

export interface Clock {
  now(): Date;
}

/** One scheduled message, as found by the sweeper or the cancel path. */
export interface ReminderRef {
  /** Whose partition it lives in (UserState.id). */
  userId: string;
  channel: Channel;
  /** The check-in (or pain track) it belongs to. */
  series: string;
  stepId: string;
  /** Send attempts so far, as last read. */
  attempts: number;
}

/** A reminder as the sweeper finds it in the due index. */
export type DueReminder = DueFields & DueMessage;

/**
 * What a due reminder says: its step's vars, worded by its channel as it is sent. A reminder planned
 * before wording moved to send time holds the words it was planned with (`stored`: a text's, or an
 * email's content, null when it cannot be read), and goes with those.
 */
export type DueMessage = { vars: StepVars } & ({ channel: 'sms'; stored?: string } | { channel: 'email'; stored?: EmailContent | null });

interface DueFields extends ReminderRef {
  /** The phone number or email address it goes to. */
  to: string;
  /** The index sort key as read: the claim and a deferral are conditioned on it. */
  dueKey: string;
  tz: string;
  /** An earlier try may have been delivered (it timed out, or its sweeper died mid-claim): check before sending again. */
  uncertain: boolean;
  /** When it was planned to go (ISO): lateness is measured from here. */
  dueAt: string;
  /** The end of its window (ISO): not sent from then on, but expired. Absent on reminders planned before windows. */
  validUntil?: string;
}

export interface PendingRef extends ReminderRef {
  dueAt: string;
}

/** A reminder in any state, for showing a timeline. */
export interface ReminderView {
  stepId: string;
  channel: Channel;
  dueAt: string;
  status: ReminderStatus;
  sentAt?: string;
  validUntil?: string;
  /** What the provider last reported for the sent message (Twilio's status callback). */
  delivery?: string;
  deliveryError?: string;
}

export type ReminderStatus = 'pending' | 'sending' | 'sent' | 'failed' | 'cancelled' | 'expired';

/** Provider states that mean the message never reached the phone (Twilio gave up on it): sending again is right. */
export const GAVE_UP: readonly string[] = ['failed', 'undelivered', 'canceled'];

/** A delivery report from the provider (Twilio's status callback) for a message we sent. */
export interface DeliveryReport {
  /** Which reminder, as named in the callback URL we gave. */
  ref: Omit<ReminderRef, 'attempts'>;
  providerId: string;
  status: 'queued' | 'sending' | 'sent' | 'delivered' | 'undelivered' | 'failed' | 'accepted' | 'scheduled' | 'canceled' | 'read' | 'bounced' | 'complained';
  errorCode: string | null;
  at: Date;
}

export interface SendRecord {
  /** The last report the provider made about this reminder's message, if one came. */
  report: { providerId: string; status: string; errorCode: string | null } | null;
  firstTriedAt: Date | null;
}

export interface InboundRecord {
  /** Twilio's MessageSid (or idempotency token), or "ses:" and SES's message id. */
  messageSid: string;
  /** The reply worded for its channel, sent again when the same message is delivered again. */
  reply: Reply | null;
}

export type CommitResult =
  | { outcome: 'ok' }
  /** The inbound message was handled before. */
  | { outcome: 'duplicate' }
  /** The user changed since it was read; read again and retry. */
  | { outcome: 'conflict' }
  /** A rate limit is used up; nothing was written. */
  | { outcome: 'limited'; limit: string };

/** An hourly counter that the write must fit under, or it is refused whole. */
export interface RateLimit {
  name: string;
  /** Counter key, including its hour. */
  key: string;
  max: number;
  /** When the counter may be forgotten (epoch seconds). */
  expiresAt: number;
}

export type ClaimResult =
  | { outcome: 'claimed'; token: string; attempts: number }
  /** Another sweeper holds it, or it is no longer due. */
  | { outcome: 'taken' }
  /** The user opted out or logged a newer leg day: the reminder must not go. */
  | { outcome: 'obsolete' }
  /** The person had a scheduled message on this channel within the hour: this one waits until `until`. */
  | { outcome: 'busy'; until: Date };

/** The people: profiles and who owns which email address (writes go through DecisionLog). */
export interface UserRepository {
  getUser(userId: string): Promise<UserState | null>;
  /** Who owns this email address (UserState.id), or null. */
  emailOwner(address: string): Promise<string | null>;
}

/** A number's request to be tied to an email address (core/link-email.ts). */
export interface LinkRepository {
  /** The request to tie an address to this number (core/link-email.ts), while one is open. */
  linkRequest(phone: string): Promise<LinkRequest | null>;
  /** Opens (or replaces) the number's link request; it expires with an unproven sign-up. */
  requestLink(req: LinkRequest, now: Date): Promise<void>;
  /** Marks the request asked; false when it was not open (already asked, or gone). */
  markLinkAsked(phone: string): Promise<boolean>;
}

/** What an inbound message left behind: its dedupe record and the reply it got. */
export interface InboundRepository {
  /** The reply stored for an inbound message already handled, or undefined when unseen. */
  inboundReply(messageSid: string): Promise<Reply | null | undefined>;
  /** Whether the reply to an inbound email went out (emails are answered after the commit). */
  replyPending(messageSid: string): Promise<{ reply: Reply } | null>;
  markReplySent(messageSid: string, at: Date): Promise<void>;
}

/** Scheduled messages: what the webhook reads back, and the sweeper's whole life cycle of a send. */
export interface ReminderRepository {
  pendingReminders(userId: string, series: string): Promise<PendingRef[]>;
  /** Every reminder of a series, in any state (the simulator's timeline). */
  listReminders(userId: string, series: string): Promise<ReminderView[]>;
  findDueReminders(now: Date, limit: number): Promise<DueReminder[]>;
  /** The earliest time at or before `until` that a live reminder falls due (the dev clock replays through these). */
  nextDueAt(until: Date): Promise<Date | null>;
  /** Its window has passed: the reminder is kept as `expired` and never sent. Conditioned on the index key read. */
  expire(ref: DueReminder, at: Date): Promise<void>;
  /** Stores a delivery report; idempotent, and a later state never goes back (delivered stays delivered). Returns false when nothing matched. */
  recordDelivery(report: DeliveryReport): Promise<boolean>;
  /**
   * What is known of a reminder's earlier tries (one consistent read, only after an uncertain try):
   * the provider's last report about its message (Twilio's status callback names the reminder, so
   * this is the per-reminder marker), and when it was first claimed (no message of its is older).
   */
  sendRecord(ref: ReminderRef): Promise<SendRecord>;
  /** Moves a due reminder to a later time without counting an attempt (outside sending hours). */
  defer(ref: DueReminder, until: Date): Promise<void>;
  /**
   * Claims a due reminder, and with it the person's scheduled-message slot on its channel for
   * `slotMs` (the no-burst rule: one scheduled message per person per channel per hour).
   * Checked against the person's profile in the same write: a STOP or a newer leg day wins.
   */
  claimReminder(ref: DueReminder, now: Date, claimUntil: Date, token: string, slotMs?: number): Promise<ClaimResult>;
  /** Records the send; `lateSeconds` is how long after its planned time it went. */
  markSent(ref: ReminderRef, token: string, at: Date, providerId: string, lateSeconds?: number): Promise<void>;
  retryLater(ref: ReminderRef, token: string, retryAt: Date, error: string, uncertain: boolean): Promise<void>;
  markFailed(ref: ReminderRef, token: string, at: Date, error: string, uncertain: boolean): Promise<void>;
  cancelReminder(ref: ReminderRef, at: Date, reason: string): Promise<void>;
}

/** What one commit writes, all or nothing. */
export interface DecisionChange {
  decision: Change;
  expectedVersion: number | null;
  cancel: readonly ReminderRef[];
  /** New times for reminders that were pending when read; each write is conditioned on it. */
  reschedule: readonly NewReminder[];
  inbound: InboundRecord | null;
  /** Hourly counters (the rate limits) this write must fit under; a full one refuses it whole. */
  limits?: readonly RateLimit[];
  /** Records that the user owns this address; refused (a conflict) if someone else does. */
  claimEmail?: string | null;
  now: Date;
}

export interface LinkChange {
  phoneUser: UserState;
  emailUser: UserState;
  expected: { phone: number; email: number };
  address: string;
  consent: ConsentEvent;
  inbound: InboundRecord;
  now: Date;
}

/**
 * The unit of work: the writes that cross repositories (profile, owner record, reminders, the
 * inbound dedupe record, rate-limit counters, history) in one transaction, so none is half done.
 */
export interface DecisionLog {
  /** Writes a decision and its dedupe record all-or-nothing. */
  commit(change: DecisionChange): Promise<CommitResult>;
  /**
   * Ties the address to the number in one write: the number's profile gets it, the email-only
   * profile gives it up, the owner record moves, the request closes, with the consent and dedupe
   * records. Each profile is conditioned on the version read.
   */
  commitLink(change: LinkChange): Promise<'ok' | 'conflict' | 'duplicate'>;
}

/** Everything stored: the repositories together (adapters/dynamo/store.ts, adapters/memory/store.ts). */
export type Store = UserRepository & LinkRepository & InboundRepository & ReminderRepository & DecisionLog;

export interface OutboundSms {
  to: string;
  body: string;
  /** Which reminder it is: the sender asks the provider to report its delivery against it. */
  ref?: Omit<ReminderRef, 'attempts'>;
}

export interface OutboundEmail {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** The one-click unsubscribe URL (RFC 8058); absent only on one-off emails (confirmation, sign-up pointer). */
  unsubscribeUrl?: string;
  /** The Message-ID of the email this one answers, so it threads in the person's mail app. */
  inReplyTo?: string;
  /** Which reminder it is: tagged on the send, so SES's delivery, bounce and complaint events find it. */
  ref?: Omit<ReminderRef, 'attempts'>;
}

/** Sends one email. Throws SendError on failure (no provider lookup: SES has none). */
export interface EmailSender {
  send(message: OutboundEmail): Promise<{ id: string }>;
}

/** Email sending plus the signed links every email carries. */
export interface EmailDelivery {
  sender: EmailSender;
  /** The one-click unsubscribe URL for an address (never expires). */
  unsubscribeUrl(address: string): string;
  /** The double opt-in link for an address (expires). */
  confirmUrl(address: string, now: Date): string;
  /** The sign-up page, for people who email us before signing up. */
  signUpUrl: string;
}

/** Sends one text. Throws SendError on failure. */
export interface SmsSender {
  send(message: OutboundSms): Promise<{ id: string }>;
  /** A message with this body sent (or on its way) to this number since `since`, if the provider has one; failed ones do not count. */
  findSent(query: OutboundSms & { since: Date }): Promise<{ id: string } | null>;
}

/**
 * Why a send failed, in the terms the sweeper acts on:
 * - transient: try again later (5xx, 429, timeouts, network);
 * - opted-out: the carrier says the person unsubscribed (Twilio 21610);
 * - unreachable: the number cannot take texts (21211, 21614, 30005, 30006);
 * - rejected: any other refusal; retrying will not help.
 */
export class SendError extends Error {
  constructor(
    readonly kind: 'transient' | 'opted-out' | 'unreachable' | 'rejected',
    readonly code: string,
    message: string,
    /** No answer came back, so the provider may have taken the message anyway. */
    readonly mayHaveSent = false,
  ) {
    super(message);
    this.name = 'SendError';
  }
}

/** Operational counters (CloudWatch metrics in Lambda). */
export interface Metrics {
  count(name: string, value?: number): void;
  /** A value that is not a count, e.g. an age in seconds. */
  gauge(name: string, value: number, unit: 'Seconds' | 'Count' | 'Milliseconds'): void;
}

export interface Log {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}
