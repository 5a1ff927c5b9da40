import type { Change } from '../core/decision.ts';
import type { Channel, NewReminder } from '../core/plan.ts';
import type { ConsentEvent, UserState } from '../core/user.ts';
import type { DueMessage, DueReminder, PendingRef, ReminderStatus, ReminderView, SendRecord } from '../use-cases/ports.ts';
import { checkinSk, consentSk, painSk, redFlagSk } from './dynamo/keys.ts';

/**
 * Rules both store implementations follow (adapters/dynamo, adapters/memory), kept in one place
 * so the in-memory double cannot drift from the table on them.
 */

/** How long a handled MessageSid is remembered; Twilio retries within minutes, so a week is ample. */
const INBOUND_TTL_SECONDS = 7 * 24 * 3600;

/**
 * A sign-up nobody has proven (no text from the number, no click on the emailed link, no leg day)
 * is forgotten this long after it was last written: a day more than the confirmation link lives.
 * The address's owner record of a still-pending email expires with it, so a form post cannot
 * claim an address for good.
 */
const UNPROVEN_SIGNUP_TTL_SECONDS = 8 * 24 * 3600;

const isUnproven = (u: UserState) =>
  (u.phone === null || u.status === 'pending') && (u.email === null || u.email.status === 'pending') && u.recent.length === 0;

/** TTL attributes are epoch seconds. */
const epochSeconds = (d: Date) => Math.floor(d.getTime() / 1000);

/** When a dedupe record written now may be forgotten. */
export const inboundTtl = (now: Date) => epochSeconds(now) + INBOUND_TTL_SECONDS;

/** When an unproven sign-up's records written now (profile, pending owner record, link request) may be forgotten. */
export const unprovenTtl = (now: Date) => epochSeconds(now) + UNPROVEN_SIGNUP_TTL_SECONDS;

/** A profile expires only while nothing about it is proven. */
export const profileTtl = (user: UserState, now: Date): number | undefined => (isUnproven(user) ? unprovenTtl(now) : undefined);

/** An owner record expires with a still-pending address; a confirmed one is kept. */
export const ownerTtl = (user: UserState, address: string, now: Date): number | undefined =>
  user.email?.address === address && user.email.status === 'pending' ? unprovenTtl(now) : undefined;

/** One record of a person's history (leg days, pain, warning signs, consent): its sort key in their partition and what is kept. */
export interface HistoryRecord {
  sk: string;
  record: Record<string, unknown> & { type: 'checkin' | 'pain' | 'red-flag' | 'consent' };
}

/** The leg day a pain report or warning sign followed, if any. */
const after = (x: { checkinId: string | null; checkinAt: string | null }) => (x.checkinId && x.checkinAt ? { id: x.checkinId, at: x.checkinAt } : null);

/** The history a commit files besides consent: the leg day, and pain or a warning sign under the leg day they followed. */
export function historyRecords(d: Pick<Change, 'checkin' | 'painReport' | 'redFlag'>): HistoryRecord[] {
  const out: HistoryRecord[] = [];
  if (d.checkin) out.push({ sk: checkinSk(d.checkin.at, d.checkin.id), record: { type: 'checkin', ...d.checkin } });
  if (d.painReport) {
    const p = d.painReport;
    out.push({ sk: painSk(after(p), p.at), record: { type: 'pain', ...p } });
  }
  if (d.redFlag) {
    const r = d.redFlag;
    out.push({ sk: redFlagSk(after(r), r.at), record: { type: 'red-flag', ...r } });
  }
  return out;
}

/** A consent change, under the version of the profile written with it (two in one millisecond stay apart). */
export const consentRecord = (c: ConsentEvent, version: number): HistoryRecord => ({ sk: consentSk(c.at, c.action, version), record: { type: 'consent', ...c } });

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

/** A step that cannot go inside its window is stored as expired, and never enters the due index. */
export const expiredWhenPlanned = (r: NewReminder) => r.dueAt.getTime() >= r.validUntil.getTime();

/** Where a reminder goes is fixed when planned; the claim re-checks that the channel is still on. */
export const reminderAddress = (user: UserState, channel: Channel) => (channel === 'sms' ? user.phone : user.email?.address);

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

/** A pending reminder as cancelling or moving it needs it; a retry or a deferral moved when it will really go (its due key). */
export const pendingRef = (
  userId: string,
  r: { series: string; stepId: string; channel: 'sms' | 'email'; attempts: number; dueAt: string; dueKey?: string | undefined },
): PendingRef => ({ userId, series: r.series, stepId: r.stepId, channel: r.channel, attempts: r.attempts, dueAt: r.dueKey ?? r.dueAt });

/** A live reminder as the sweeper gets it from the due index, with its words as read. */
export function dueReminder(
  r: {
    userId: string;
    series: string;
    stepId: string;
    to: string | undefined;
    attempts: number;
    dueKey: string;
    tz: string;
    uncertain?: boolean | undefined;
    status: ReminderStatus;
    dueAt: string;
    validUntil?: string | undefined;
  },
  message: DueMessage,
): DueReminder {
  return {
    userId: r.userId,
    series: r.series,
    stepId: r.stepId,
    to: r.to ?? '',
    attempts: r.attempts,
    dueKey: r.dueKey,
    tz: r.tz,
    // Taking over a claim that expired: its holder may have sent before it died.
    uncertain: r.uncertain === true || r.status === 'sending',
    dueAt: r.dueAt,
    ...(r.validUntil ? { validUntil: r.validUntil } : {}),
    ...message,
  };
}

/**
 * What is known of a reminder's sends: the last report about its message (the sent one, or before a
 * send is recorded, the one a report named) and its first try. Nothing for a reminder not found.
 */
export function sendRecord(
  r:
    | { providerId?: string | undefined; deliverySid?: string | undefined; delivery?: string | undefined; deliveryError?: string | undefined; firstTriedAt?: string | undefined }
    | undefined,
): SendRecord {
  const sid = r?.providerId ?? r?.deliverySid;
  return {
    report:
      r && sid && r.delivery && (!r.deliverySid || r.deliverySid === sid) ? { providerId: sid, status: r.delivery, errorCode: r.deliveryError ?? null } : null,
    firstTriedAt: r?.firstTriedAt ? new Date(r.firstTriedAt) : null,
  };
}
