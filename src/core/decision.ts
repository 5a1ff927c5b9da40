import type { Said } from '../content/email.ts';
import type { Lift } from './lifts.ts';
import type { Channel, NewReminder } from './plan.ts';
import type { ConsentEvent, UserState } from './user.ts';

/**
 * Everything one message (or one outside event) changes, and what to say back, unworded: each
 * channel words the reply its own way at the edge (core/channel.ts). The adapter writes the
 * change as one transaction.
 */
export interface Decision {
  /** What to say back, before wording (null for nothing). */
  reply: Said | null;
  /**
   * The reply is the first message a number ever gets from us: worded as a text, it carries the
   * disclosure (who we are, how often we text, rates, HELP and STOP).
   */
  disclose: boolean;
  /** The person's new state, or null when the message changes nothing about them. */
  user: UserState | null;
  checkin: { id: string; at: string; text: string; details: string; lifts: Lift[] } | null;
  painReport: { at: string; score: number | null; text: string; checkinId: string | null; checkinAt: string | null } | null;
  /** A warning sign read in the message: stored with the leg day and counted as a metric. */
  redFlag: { at: string; tier: 'soon' | 'emergency'; signs: string[]; text: string; checkinId: string | null; checkinAt: string | null } | null;
  /** New reminders to store. */
  reminders: NewReminder[];
  /** New times for reminders that exist; written only where they are still pending. */
  reschedule: NewReminder[];
  /** Series (check-ins, pain tracks) whose pending reminders are cancelled in the same write. */
  cancelSeries: string[];
  /** One channel's pending reminders in these series are cancelled (an opt-out on that channel). */
  cancelChannel: { channel: Channel; series: string[] } | null;
  consent: ConsentEvent | null;
}

/** A decision that changes nothing; spread it and add what does change. */
export const nothing: Omit<Decision, 'reply'> = {
  disclose: false,
  user: null,
  checkin: null,
  painReport: null,
  redFlag: null,
  reminders: [],
  reschedule: [],
  cancelSeries: [],
  cancelChannel: null,
  consent: null,
};

/** A decision that changes nothing and says nothing. */
export const noChange: Decision = { ...nothing, reply: null };

/** The same decision with no reply on any channel. */
export const withoutReply = (d: Decision): Decision => ({ ...d, reply: null, disclose: false });

/** What the change writes: the decision less its reply and the reminder moves the use case resolves first. */
export type Change = Omit<Decision, 'reply' | 'disclose' | 'reschedule' | 'cancelSeries' | 'cancelChannel'>;
