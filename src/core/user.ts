import type { Lift } from './lifts.ts';
import type { Channel } from './plan.ts';

/** The user model: what the service knows of one person, and what follows from it alone. */

export interface CheckinSummary {
  id: string;
  at: string;
  lifts: Lift[];
  /** Pain scores reported after this leg day, oldest first. */
  pain: number[];
  /**
   * Set when this leg day came after a break: the deload its reply gave (the ranges, or null when
   * no lifts were logged before), which every plan for it repeats.
   */
  deload?: string | null;
}

/** Follow-up of a high pain score: one score a day until it eases or three days pass. */
export interface PainTrack {
  id: string;
  startedAt: string;
  scores: number[];
}

/**
 * An email address and where it stands. pending: signed up, link not yet followed; confirmed:
 * recovery emails go to it; unsubscribed, bounced, complained: nothing more goes to it.
 */
export interface EmailContact {
  address: string;
  status: 'pending' | 'confirmed' | 'unsubscribed' | 'bounced' | 'complained';
}

/** What the service knows of one person. */
export interface UserState {
  /** The storage key: the phone number for anyone who has one, else "email:" and the address. */
  id: string;
  phone: string | null;
  /**
   * The SMS channel. pending: given on the sign-up page, not yet confirmed by a text from it;
   * unreachable: the carrier said the number cannot take texts (landline, unknown number).
   */
  status: 'active' | 'opted_out' | 'unreachable' | 'pending';
  email: EmailContact | null;
  enrolledAt: string;
  timezone: string;
  /** Newest first; [0] is the leg day whose follow-ups may be sent. */
  recent: CheckinSummary[];
  painTrack: PainTrack | null;
  /** Scheduled messages are paused from `from` until `until` (ISO instants); null when not paused. */
  pause: { from: string; until: string } | null;
  /** Bumped on every write; guards against two webhooks for one number racing. */
  version: number;
}

export const emailUserId = (address: string) => `email:${address}`;

export interface ConsentEvent {
  action: 'opt-in' | 'opt-out';
  at: string;
  /** How it happened, e.g. "keyword" or "first check-in". */
  via: string;
  /** The message that did it (kept as the record of consent). */
  text: string;
  channel?: Channel;
}

/** A text message can reach this person now. */
export const smsLive = (user: UserState) => Boolean(user.phone) && user.status === 'active';
/** A recovery email can reach this person now. */
export const emailLive = (user: UserState) => user.email?.status === 'confirmed';

/** The address stopped taking email (an unsubscribe, a hard bounce or a complaint). */
export const EMAIL_STOPPED: ReadonlySet<EmailContact['status']> = new Set<EmailContact['status']>(['unsubscribed', 'bounced', 'complained']);

/** The series whose reminders may still be pending for this user. */
export function liveSeries(user: UserState | null): string[] {
  if (!user) return [];
  return [user.recent[0]?.id, user.painTrack?.id].filter((s): s is string => Boolean(s));
}

/** The channels that recovery messages go out on now. */
export function channelsOf(user: UserState): Channel[] {
  const out: Channel[] = [];
  if (smsLive(user)) out.push('sms');
  if (emailLive(user)) out.push('email');
  return out;
}

/** What the conversation is waiting for, which changes how a bare number reads. */
export const contextOf = (user: UserState | null) => ({ painCheckOpen: Boolean(user?.painTrack) });
