import { nothing, type Decision } from './decision.ts';
import { channelsOf, EMAIL_STOPPED, liveSeries, type EmailContact, type UserState } from './user.ts';

/**
 * A channel's standing changes: an opt-out (by keyword or by the carrier), a number the carrier
 * cannot reach, an address confirmed, unsubscribed, bounced or complained about. A message's own
 * opt-out is decided in respond.ts with these; the rest come from outside a message.
 */

/** The pain track stays only while some channel can still carry its check-ins. */
const trackIfReachable = (u: UserState): UserState => (channelsOf(u).length ? u : { ...u, painTrack: null });

export function optOut(base: UserState, existing: UserState | null, at: string, via: string, text: string): Omit<Decision, 'reply'> {
  return {
    ...nothing,
    user: trackIfReachable({ ...base, status: 'opted_out', version: base.version + 1 }),
    cancelChannel: { channel: 'sms', series: liveSeries(existing) },
    consent: { action: 'opt-out', at, via, text, channel: 'sms' },
  };
}

export function unsubscribeEmail(
  user: UserState,
  at: string,
  status: 'unsubscribed' | 'bounced' | 'complained',
  via: string,
  text: string,
): Omit<Decision, 'reply'> {
  return {
    ...nothing,
    user: trackIfReachable({ ...user, email: { ...user.email!, status }, version: user.version + 1 }),
    cancelChannel: { channel: 'email', series: liveSeries(user) },
    consent: { action: 'opt-out', at, via, text, channel: 'email' },
  };
}

/**
 * The carrier refused a send. 21610 (the person texted STOP to the carrier or Twilio) is an
 * opt-out exactly like an inbound STOP; an unreachable number (landline, unknown) stops all
 * sending until the number texts us again.
 */
export function carrierRefusal(
  user: UserState | null,
  refusal: { phone: string; kind: 'opted-out' | 'unreachable'; code: string; message: string; now: Date; defaultTimezone: string },
): Decision {
  const at = refusal.now.toISOString();
  if (!user || user.status === 'opted_out') return { ...nothing, reply: null };
  const via = `carrier error ${refusal.code}`;
  if (refusal.kind === 'opted-out') return { ...optOut(user, user, at, via, refusal.message), reply: null };
  return {
    ...nothing,
    reply: null,
    user: trackIfReachable({ ...user, status: 'unreachable', version: user.version + 1 }),
    cancelChannel: { channel: 'sms', series: liveSeries(user) },
  };
}

/**
 * An email address changed standing from outside a message: its link was followed
 * (confirmed), its one-click unsubscribe was used, or SES reported a hard bounce or a complaint.
 * Returns null when nothing changes (a second click, a bounce for an address already stopped).
 */
export function emailStatusChange(
  user: UserState | null,
  change: { address: string; to: EmailContact['status']; via: string; detail: string; now: Date },
): Decision | null {
  const email = user?.email;
  if (!user || !email || email.address !== change.address || email.status === change.to) return null;
  const at = change.now.toISOString();
  if (change.to === 'confirmed') {
    // A link in an old confirmation email must not undo a later unsubscribe or bounce.
    if (email.status !== 'pending') return null;
    return {
      ...nothing,
      reply: null,
      user: { ...user, email: { ...email, status: 'confirmed' }, version: user.version + 1 },
      consent: { action: 'opt-in', at, via: change.via, text: change.detail, channel: 'email' },
    };
  }
  if (change.to === 'pending') return null;
  // A complaint outranks an unsubscribe; anything stopped stays stopped by a later bounce report.
  if (EMAIL_STOPPED.has(email.status) && change.to !== 'complained') return null;
  return { ...unsubscribeEmail(user, at, change.to, change.via, change.detail), reply: null };
}
