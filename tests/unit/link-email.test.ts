import { describe, expect, it } from 'vitest';
import { answerLink, answersLinkRequest, isLinkConsent, maskEmail, shouldAsk, type LinkRequest } from '../../src/core/link-email.ts';
import type { UserState } from '../../src/core/user.ts';
import { londoner } from '../support/lifter.ts';

const now = new Date('2026-03-02T18:00:00Z');
const user = (over: Partial<UserState>): UserState => londoner({ version: 3, ...over });
const req: LinkRequest = { phone: '+447700900123', address: 'amy@example.com', status: 'asked', at: now.toISOString() };
const emailUser = (status: 'pending' | 'confirmed' | 'unsubscribed') =>
  user({ id: 'email:amy@example.com', phone: null, status: 'pending', email: { address: 'amy@example.com', status }, version: 1 });

describe('tying an email to a number (pure)', () => {
  it('masks the address for the question', () => {
    expect(maskEmail('amy@example.com')).toBe('a***@example.com');
    expect(maskEmail('x@' + 'd'.repeat(60) + '.com')).toMatch(/^x\*\*\*@d{37}\.\.\.$/);
  });

  it('reads only a bare YES as consent, and only while a question is open for an active number', () => {
    for (const yes of ['YES', 'yes', ' Yes! ', 'yes.']) expect(isLinkConsent(yes), yes).toBe(true);
    for (const no of ['yes please link', 'no', 'yesterday', '']) expect(isLinkConsent(no), no).toBe(false);
    expect(answersLinkRequest(req, user({}), 'YES')).toBe(true);
    expect(answersLinkRequest({ ...req, status: 'requested' }, user({}), 'YES')).toBe(false);
    expect(answersLinkRequest(null, user({}), 'YES')).toBe(false);
    expect(answersLinkRequest(req, user({ status: 'opted_out' }), 'YES')).toBe(false);
    expect(shouldAsk({ ...req, status: 'requested' }, user({}))).toBe(true);
    expect(shouldAsk(req, user({}))).toBe(false);
    expect(shouldAsk({ ...req, status: 'requested' }, user({ email: { address: 'b@x.com', status: 'confirmed' } }))).toBe(false);
  });

  it('links only when the address was confirmed by its own link, and moves it off the email-only sign-up', () => {
    expect(answerLink(req, user({}), emailUser('pending'), 'email:amy@example.com', now, 'YES').outcome).toBe('confirm-email-first');
    expect(answerLink(req, user({}), emailUser('unsubscribed'), 'email:amy@example.com', now, 'YES').outcome).toBe('unavailable');
    expect(answerLink(req, user({}), null, null, now, 'YES').outcome).toBe('unavailable');
    // The address now belongs to someone else.
    expect(answerLink(req, user({}), emailUser('confirmed'), '+15551234567', now, 'YES').outcome).toBe('unavailable');
    // An address already in use on its own (leg days logged by email) is never moved.
    const used = { ...emailUser('confirmed'), recent: [{ id: 'c1', at: now.toISOString(), lifts: [], pain: [] }] } as unknown as UserState;
    expect(answerLink(req, user({}), used, 'email:amy@example.com', now, 'YES').outcome).toBe('unavailable');
    const done = answerLink(req, user({}), emailUser('confirmed'), 'email:amy@example.com', now, 'YES');
    expect(done).toMatchObject({
      outcome: 'linked',
      phoneUser: { email: { address: 'amy@example.com', status: 'confirmed' }, version: 4 },
      emailUser: { email: null, version: 2 },
      consent: { action: 'opt-in', channel: 'email', text: 'YES' },
    });
  });
});
