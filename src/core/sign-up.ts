import type { Channel } from './plan.ts';
import { noChange, type Decision } from './decision.ts';
import { EMAIL_STOPPED, emailUserId, type UserState } from './user.ts';

/** A validated sign-up from the page: at least one of phone and email, each for its chosen channel. */
export interface SignUpRequest {
  phone: string | null;
  email: string | null;
  timezone: string;
  /** The words of the consent box the person ticked, kept as the record of consent. */
  consentText: string;
  /** Who posted the form (a hash of the client's address), for the per-client cap; absent when unknown. */
  client?: string | null;
}

export type SignUpOutcome =
  /** A confirmation email is to be sent (new address, or one still waiting for its link). */
  | 'confirm-email'
  /** Phone only: nothing to send; the first text from the number confirms it. */
  | 'text-to-confirm'
  /** Already signed up and confirmed: nothing changes. */
  | 'already-confirmed'
  /** The email address belongs to another sign-up. */
  | 'email-taken'
  /** The number already has a different email address. */
  | 'has-other-email'
  /** The number already texts us; an address can't be tied to it from a web page anyone can fill in. */
  | 'phone-in-use'
  /** The address bounced, complained or unsubscribed: the form never mails it again. */
  | 'suppressed';


export const signUpUserId = (req: SignUpRequest) => req.phone ?? emailUserId(req.email!);

/**
 * Decides what a sign-up changes. Pure: the caller reads the profile at `signUpUserId(req)` and the
 * current owner of the email address. A web form proves nothing about a phone or an inbox, so
 * nothing is sent on either channel until the address's link is followed or the number texts us.
 */
export function signUp(
  existing: UserState | null,
  emailOwner: string | null,
  req: SignUpRequest,
  now: Date,
): { outcome: SignUpOutcome; decision: Decision | null } {
  const id = signUpUserId(req);
  const at = now.toISOString();
  const none = (outcome: SignUpOutcome) => ({ outcome, decision: null });
  if (req.email && emailOwner && emailOwner !== id) return none('email-taken');
  const consent = (channel: Channel) => ({ action: 'opt-in' as const, at, via: 'sign-up page (awaiting confirmation)', text: req.consentText, channel });
  const decision = (user: UserState, channel: Channel): Decision => ({ ...noChange, user, consent: consent(channel) });

  if (!existing) {
    const user: UserState = {
      id,
      phone: req.phone,
      // Pending until the number texts us; an email-only profile has no SMS channel at all.
      status: 'pending',
      email: req.email ? { address: req.email, status: 'pending' } : null,
      enrolledAt: at,
      timezone: req.timezone,
      recent: [],
      painTrack: null,
      pause: null,
      version: 0,
    };
    return { outcome: req.email ? 'confirm-email' : 'text-to-confirm', decision: decision(user, req.email ? 'email' : 'sms') };
  }
  if (!req.email) return none(existing.status === 'pending' ? 'text-to-confirm' : 'already-confirmed');
  const email = existing.email;
  if (email && email.address !== req.email) return none('has-other-email');
  if (!email && existing.phone && existing.status !== 'pending') return none('phone-in-use');
  if (email?.status === 'confirmed') return none('already-confirmed');
  // Bounced, complained or unsubscribed: never mailed from the form (anyone can type an address).
  // The person can come back by emailing the coach from that address.
  // The form never mails a stopped address: SES counts its bounces and complaints against us all.
  if (email && EMAIL_STOPPED.has(email.status)) return none('suppressed');
  // Still waiting for its link: send it again, and write the profile again so that the unproven
  // sign-up's expiry (and its claim on the address) starts over.
  if (email?.status === 'pending') return { outcome: 'confirm-email', decision: { ...noChange, user: { ...existing, version: existing.version + 1 } } };
  // New to this profile: double opt-in starts.
  const user: UserState = {
    ...existing,
    email: { address: req.email, status: 'pending' },
    timezone: req.timezone,
    version: existing.version + 1,
  };
  return { outcome: 'confirm-email', decision: decision(user, 'email') };
}
