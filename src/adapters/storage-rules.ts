import type { UserState } from '../core/user.ts';
import type { ReminderStatus, ReminderView } from '../use-cases/ports.ts';

/**
 * Rules both store implementations follow (adapters/dynamo, adapters/memory), kept in one place
 * so the in-memory double cannot drift from the table on them.
 */

/** How long a handled MessageSid is remembered; Twilio retries within minutes, so a week is ample. */
export const INBOUND_TTL_SECONDS = 7 * 24 * 3600;

/**
 * A sign-up nobody has proven (no text from the number, no click on the emailed link, no leg day)
 * is forgotten this long after it was last written: a day more than the confirmation link lives.
 * The address's owner record of a still-pending email expires with it, so a form post cannot
 * claim an address for good.
 */
export const UNPROVEN_SIGNUP_TTL_SECONDS = 8 * 24 * 3600;

export const isUnproven = (u: UserState) =>
  (u.phone === null || u.status === 'pending') && (u.email === null || u.email.status === 'pending') && u.recent.length === 0;

/** Twilio's message states in the order they happen: a report never moves a message backwards. */
export const DELIVERY_RANK: Record<string, number> = {
  accepted: 1,
  scheduled: 1,
  queued: 2,
  sending: 3,
  sent: 4,
  delivered: 5,
  read: 6,
  undelivered: 6,
  failed: 6,
  canceled: 6,
  // SES: a bounce is final; a complaint comes after delivery.
  bounced: 6,
  complained: 7,
};

/** Provider states after which another try's message may take the reminder's report over. */
export { GAVE_UP } from '../use-cases/ports.ts';

/** The reason given to reminders cancelled by a commit (replaced, or the person opted out). */
export const COMMIT_CANCEL_REASON = 'replaced or opted out';

/** A reminder in any state, for a timeline. */
export function reminderView(r: {
  stepId: string;
  channel: 'sms' | 'email';
  status: ReminderStatus;
  dueAt: string;
  dueKey?: string | undefined;
  sentAt?: string | undefined;
  validUntil?: string | undefined;
  providerId?: string | undefined;
  delivery?: string | undefined;
  deliverySid?: string | undefined;
  deliveryError?: string | undefined;
}): ReminderView {
  // A report about an earlier try's message (a timed-out send Twilio gave up on) is not the sent one's.
  const ofSent = !r.deliverySid || !r.providerId || r.deliverySid === r.providerId;
  return {
    stepId: r.stepId,
    channel: r.channel,
    // A retry or a deferral moves when it will really go: that is the time to show.
    dueAt: r.status === 'pending' && r.dueKey ? r.dueKey : r.dueAt,
    status: r.status,
    ...(r.sentAt ? { sentAt: r.sentAt } : {}),
    ...(r.validUntil ? { validUntil: r.validUntil } : {}),
    ...(r.delivery && ofSent ? { delivery: r.delivery } : {}),
    ...(r.deliveryError && ofSent ? { deliveryError: r.deliveryError } : {}),
  };
}
