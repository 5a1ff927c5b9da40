import { confirmationEmail } from '../content/email.ts';
import { dayBucket, hourBucket, hourlyCounters, rateKey } from '../core/limits.ts';
import { noChange } from '../core/decision.ts';
import { signUp, signUpUserId, type SignUpOutcome, type SignUpRequest } from '../core/sign-up.ts';
import { applyDecision } from './apply-decision.ts';
import { SendError, type EmailDelivery, type Log, type Metrics, type RateLimit, type Store } from './ports.ts';

export interface SignUpDeps {
  store: Store;
  email: EmailDelivery;
  now: () => Date;
  log: Log;
  metrics: Metrics;
  /** New sign-ups per hour from the page (RATE_ENROLMENTS_PER_HOUR; a counter apart from texts'). */
  enrolmentsPerHour: number;
  /** Confirmation emails per hour for everyone together (RATE_CONFIRMATION_EMAILS_PER_HOUR). */
  confirmationsPerHour: number;
}

/** Sign-up posts per client (IP address) per hour: a household or an office is well under it, a script is not. */
export const SIGNUPS_PER_CLIENT_PER_HOUR = 20;

/** Confirmation emails per address per UTC day: enough for "resend", too few to bomb an inbox. */
export const CONFIRMATIONS_PER_ADDRESS_PER_DAY = 3;

/**
 * limited: a cap for everyone is used up (try later). The per-address cap is not reported: the
 * page answers as if the email went, so it says nothing about whether an address is known.
 */
export type SignUpResult = { outcome: SignUpOutcome | 'limited' | 'send-failed' };

/**
 * A sign-up from the page: decide (core/sign-up.ts), write the profile and the address's owner
 * record in one transaction, then send the confirmation email. A failed send leaves the address
 * pending; submitting again resends.
 */
export async function signUpUser(deps: SignUpDeps, req: SignUpRequest): Promise<SignUpResult> {
  if (req.phone && req.email) return signUpBoth(deps, { ...req, phone: req.phone, email: req.email });
  const applied = await applyDecision<SignUpOutcome>(
    deps,
    signUpUserId(req),
    async (user, now) => {
      const owner = req.email ? await deps.store.emailOwner(req.email) : null;
      const res = signUp(user, owner, req, now);
      return { decision: res.decision ?? noChange, note: res.outcome };
    },
    {
      now: deps.now,
      claimEmail: (d) => d.user?.email?.address ?? null,
      // Only a sign-up that creates someone counts as an enrolment.
      limits: (d, isNew, now, _inbound, outcome) => limitsFor(deps, req, outcome!, isNew && d.user !== null, now),
    },
  );
  if (applied.outcome === 'limited') {
    deps.log.warn('sign-up rate limit reached', { limit: applied.limit, email: req.email, phone: req.phone });
    deps.metrics.count(`RateLimited_${applied.limit}`);
    // This address has had its confirmations for the day: nothing is sent, and the page answers
    // as it would have (a stranger learns nothing from it).
    if (applied.limit === 'confirmations_per_address') return { outcome: 'confirm-email' };
    return { outcome: 'limited' };
  }
  const outcome = applied.outcome === 'ok' ? applied.note! : 'already-confirmed';
  if (outcome !== 'confirm-email' || !req.email) return { outcome };
  try {
    await deps.email.sender.send({ to: req.email, ...confirmationEmail(deps.email.confirmUrl(req.email, deps.now())) });
  } catch (err) {
    if (!(err instanceof SendError)) throw err;
    deps.log.warn('confirmation email failed', { email: req.email, kind: err.kind, code: err.code });
    deps.metrics.count('ConfirmationEmailFailed');
    return { outcome: 'send-failed' };
  }
  deps.metrics.count('ConfirmationEmailSent');
  return { outcome };
}

/**
 * A number and an address from one form: kept apart (core/link-email.ts). The number is signed up
 * on its own (its first text enrols it), the address on its own (its link confirms it), and a link
 * request waits beside the number: its first text is answered with "Link email a***@...? Reply
 * YES", and only that YES, after the address's link was followed, ties them together.
 */
async function signUpBoth(deps: SignUpDeps, req: SignUpRequest & { phone: string; email: string }): Promise<SignUpResult> {
  const number = await signUpUser(deps, { ...req, email: null });
  if (number.outcome === 'limited') return number;
  // The post was counted against its client once already.
  const address = await signUpUser(deps, { ...req, phone: null, client: null });
  if (address.outcome === 'limited' || address.outcome === 'send-failed') return address;
  // Only an address still to be confirmed can be linked (its confirmation then comes after this
  // request), never one already in use; and only a number that has not texted yet is asked.
  if (address.outcome !== 'confirm-email') return address;
  const user = await deps.store.getUser(req.phone);
  if (user && user.status === 'pending' && user.email === null) {
    await deps.store.requestLink({ phone: req.phone, address: req.email, status: 'requested', at: deps.now().toISOString() }, deps.now());
  }
  return address;
}

/** Every confirmation email counts against its address's day and everyone's hour; a new sign-up against the page's hour. */
function limitsFor(deps: SignUpDeps, req: SignUpRequest, outcome: SignUpOutcome, isNew: boolean, now: Date): RateLimit[] {
  const hour = hourBucket(now);
  // Every post counts against its client, whatever it changes.
  const perClient = req.client ? [{ name: 'signups_per_client', key: rateKey('signup', 'client', req.client, hour), max: SIGNUPS_PER_CLIENT_PER_HOUR }] : [];
  const confirmations =
    outcome === 'confirm-email' && req.email
      ? [
          // The address's own cap first: when both are full, the address is the one reported.
          {
            name: 'confirmations_per_address',
            key: rateKey('confirm', req.email, dayBucket(now)),
            max: CONFIRMATIONS_PER_ADDRESS_PER_DAY,
            expiresAt: Math.floor(now.getTime() / 1000) + 2 * 86400,
          },
          ...hourlyCounters(now, [{ name: 'confirmation_emails', key: rateKey('confirm', 'all', hour), max: deps.confirmationsPerHour }]),
        ]
      : [];
  // The page's own counter: a flood of form posts cannot stop new numbers enrolling by text.
  const signups = isNew ? [{ name: 'signups', key: rateKey('enrol', 'web', hour), max: deps.enrolmentsPerHour }] : [];
  return [...hourlyCounters(now, perClient), ...confirmations, ...hourlyCounters(now, signups)];
}
