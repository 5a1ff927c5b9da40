import { smsText } from '../content/email.ts';
import type { ConsentEvent, UserState } from './user.ts';

/**
 * Tying an email address to a phone number. A web form proves nothing about either, so a sign-up
 * with both keeps them apart: the address gets its own double opt-in, the number is enrolled by its
 * first text, and a link request waits beside the number. The number's owner is then asked by text
 * ("Link email a***@example.com? Reply YES"), and the two are joined only when that YES arrives
 * and the address's link has been followed. Until then neither sees the other's data. Pure: the
 * caller reads the request and both profiles, and passes the clock.
 */

export interface LinkRequest {
  phone: string;
  address: string;
  /** requested: not yet put to the number; asked: the question went out, a YES answers it. */
  status: 'requested' | 'asked';
  at: string;
}

/** "amy@example.com" → "a***@example.com": enough for its owner to recognise, little for anyone else. */
export function maskEmail(address: string): string {
  const at = address.lastIndexOf('@');
  const local = at > 0 ? address.slice(0, at) : address;
  const domain = at > 0 ? address.slice(at + 1) : '';
  const shortDomain = domain.length > 40 ? domain.slice(0, 37) + '...' : domain;
  return `${local.slice(0, 1)}***@${shortDomain}`;
}

/** The whole message is YES (any case, surrounding punctuation ignored). */
export const isLinkConsent = (text: string) => /^[^a-z0-9]*yes[^a-z0-9]*$/i.test(text.trim());

/** A YES is read as consent to link only while a question is pending for that number, and only from an active number. */
export const answersLinkRequest = (req: LinkRequest | null, phoneUser: UserState | null, text: string): req is LinkRequest =>
  req !== null && req.status === 'asked' && phoneUser?.status === 'active' && isLinkConsent(text);

/** Whether to put the question to the number now: it is enrolled, has no address yet, and was not asked before. */
export const shouldAsk = (req: LinkRequest | null, phoneUser: UserState | null): req is LinkRequest =>
  req !== null && req.status === 'requested' && phoneUser?.status === 'active' && phoneUser.email === null;

export const linkQuestion = (req: LinkRequest) => smsText({ key: 'linkEmailAsk', vars: { email: maskEmail(req.address) } });

export type LinkAnswer =
  | { outcome: 'linked'; reply: string; phoneUser: UserState; emailUser: UserState; consent: ConsentEvent }
  | { outcome: 'confirm-email-first' | 'unavailable'; reply: string };

/**
 * The number said YES. The address must have been confirmed by its own link, still be held by its
 * email-only sign-up with no leg days of its own, and the number must have no other address: then the number's profile gets
 * the address (confirmed) and the email-only profile gives it up, in one write.
 */
export function answerLink(req: LinkRequest, phoneUser: UserState, emailUser: UserState | null, emailOwner: string | null, now: Date, text: string): LinkAnswer {
  const email = maskEmail(req.address);
  const unavailable = { outcome: 'unavailable' as const, reply: smsText({ key: 'linkEmailUnavailable', vars: {} }) };
  if (phoneUser.email && phoneUser.email.address !== req.address) return unavailable;
  if (!emailUser || emailOwner !== emailUser.id || emailUser.email?.address !== req.address || emailUser.phone !== null) return unavailable;
  // An address already used on its own (leg days logged by email) is never moved to a number.
  if (emailUser.recent.length > 0) return unavailable;
  if (emailUser.email.status === 'pending') return { outcome: 'confirm-email-first', reply: smsText({ key: 'linkEmailConfirmFirst', vars: { email } }) };
  if (emailUser.email.status !== 'confirmed') return unavailable;
  return {
    outcome: 'linked',
    reply: smsText({ key: 'linkEmailDone', vars: { email } }),
    phoneUser: { ...phoneUser, email: { address: req.address, status: 'confirmed' }, version: phoneUser.version + 1 },
    // The email-only sign-up gives the address up: its pending emails fail their claim and are cancelled.
    emailUser: { ...emailUser, email: null, version: emailUser.version + 1 },
    consent: { action: 'opt-in', at: now.toISOString(), via: 'email linked by text (YES)', text, channel: 'email' },
  };
}
