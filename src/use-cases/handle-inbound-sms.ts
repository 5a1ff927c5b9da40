import { hourBucket, isAllowedCountry, type AbuseLimits } from '../core/limits.ts';
import { contextOf, liveSeries, noChange, respond, withoutReply, type Decision } from '../core/respond.ts';
import { carrierKeyword, understand, withIntent, type Intent } from '../core/understanding/index.ts';
import { applyDecision } from './apply-decision.ts';
import { answerLinkRequest } from './link-email.ts';
import type { Log, Metrics, RateLimit, Store } from './ports.ts';

export interface InboundSms {
  /** E.164, already validated. */
  from: string;
  body: string;
  /** The signed MessageSid: the dedupe key. */
  dedupeKey: string;
  /** Set when Twilio's Advanced Opt-Out handled a keyword: it has already replied. */
  optOutType?: 'STOP' | 'START' | 'HELP';
  /** Called when this text enrolled a number signed up on the page (its first text). */
  onEnrolled?: () => void;
}

export interface HandleSmsDeps {
  store: Store;
  now: () => Date;
  newId: () => string;
  log: Log;
  metrics: Metrics;
  /** For numbers whose country spans several zones (DEFAULT_TIMEZONE). */
  defaultTimezone: string;
  limits: AbuseLimits;
}

const DEDUPE_TTL_MARGIN_S = 2 * 3600;
const ADVANCED_OPT_OUT: Record<NonNullable<InboundSms['optOutType']>, Intent> = {
  STOP: { kind: 'stop' },
  START: { kind: 'start' },
  HELP: { kind: 'help' },
};

/**
 * A text arrives: read the number's state, decide, write the decision and its dedupe record in
 * one transaction. Returns the reply to send back in the TwiML (null for none).
 */
export async function handleInboundSms(deps: HandleSmsDeps, sms: InboundSms): Promise<string | null> {
  if (!isAllowedCountry(sms.from, deps.limits)) {
    // SMS pumping comes from premium-rate ranges abroad: no reply, no record, just a count.
    deps.log.warn('text from a country not served; ignored', { from: sms.from });
    deps.metrics.count('InboundBlockedCountry');
    return null;
  }
  const keyword = sms.optOutType ? ADVANCED_OPT_OUT[sms.optOutType].kind : carrierKeyword(sms.body);
  // Read once; again only when an open pain check changes what a bare "6" means.
  const plain = understand(sms.body);
  const decide = async (user: Parameters<typeof respond>[0], now: Date, load: (s: readonly string[]) => Promise<{ stepId: string; dueAt: string }[]>) => {
    const read = user?.painTrack ? understand(sms.body, contextOf(user)) : plain;
    const u = sms.optOutType ? withIntent(read, ADVANCED_OPT_OUT[sms.optOutType]) : read;
    const pending = u.intent.kind === 'status' || u.intent.kind === 'resume' ? await load(liveSeries(user)) : undefined;
    const d = respond(user, { from: sms.from, text: sms.body, now, newId: deps.newId, defaultTimezone: deps.defaultTimezone, pending }, u);
    // With Advanced Opt-Out, Twilio has sent its own confirmation: record the change, say nothing.
    return sms.optOutType ? { ...withoutReply(d), consent: d.consent && { ...d.consent, via: 'twilio advanced opt-out' } } : d;
  };
  const inbound = (d: Decision) => ({ messageSid: sms.dedupeKey, reply: d.reply });
  const limits = (d: Decision, isNew: boolean, now: Date) => rateLimits(deps, sms.from, d, isNew, now, keyword);

  // A bare YES answering an open "link this email?" question (use-cases/link-email.ts).
  const linkReply = await answerLinkRequest(deps, sms);
  if (linkReply !== undefined) return linkReply;
  let enrolled = false;
  const noteEnrolment = async (...args: Parameters<typeof decide>) => {
    const d = await decide(...args);
    // Only a number signed up on the page can have a link request: a brand-new one costs no extra read.
    enrolled = args[0]?.status === 'pending' && d.user?.status === 'active';
    return d;
  };

  const first = await applyDecision(deps, sms.from, noteEnrolment, { now: deps.now, inbound, limits });
  if (first.outcome === 'ok') {
    countRedFlag(deps, first.decision);
    if (enrolled) sms.onEnrolled?.();
    return first.reply;
  }
  if (first.outcome === 'duplicate') {
    deps.log.info('duplicate inbound message', { dedupeKey: sms.dedupeKey });
    return (await deps.store.inboundReply(sms.dedupeKey)) ?? null;
  }
  // A limit is used up: keep what must be kept (an opt-out above all), but send nothing back,
  // and enrol no one new.
  deps.log.warn('rate limit reached; no reply', { limit: first.limit, from: sms.from });
  deps.metrics.count(`RateLimited_${first.limit}`);
  const quiet = async (...args: Parameters<typeof decide>) => {
    const d = await decide(...args);
    if (first.limit === 'enrolments' && args[0] === null && d.user?.status === 'active') return noChange;
    return withoutReply(d);
  };
  const second = await applyDecision(deps, sms.from, quiet, { now: deps.now, inbound });
  if (second.outcome === 'ok') countRedFlag(deps, second.decision);
  return second.outcome === 'duplicate' ? ((await deps.store.inboundReply(sms.dedupeKey)) ?? null) : null;
}

/**
 * STOP, START and HELP are always answered and never counted: carriers require the answer, and a
 * flood of other messages must not silence an opt-out's confirmation.
 */
export const isComplianceKeyword = (keyword: string | null) => keyword === 'stop' || keyword === 'start' || keyword === 'help';

/**
 * Texts have counters of their own: the sign-up page and email replies count elsewhere, so a flood
 * on one surface cannot starve another.
 */
function rateLimits(deps: HandleSmsDeps, phone: string, d: Decision, isNew: boolean, now: Date, keyword: string | null): RateLimit[] {
  if (isComplianceKeyword(keyword)) return [];
  const hour = hourBucket(now);
  const expiresAt = Math.floor(now.getTime() / 1000) + 3600 + DEDUPE_TTL_MARGIN_S;
  const limits: RateLimit[] = [];
  if (d.reply !== null) {
    limits.push({ name: 'replies_per_number', key: `RATE#reply#${phone}#${hour}`, max: deps.limits.repliesPerNumber, expiresAt });
    limits.push({ name: 'replies', key: `RATE#reply#sms#all#${hour}`, max: deps.limits.repliesTotal, expiresAt });
  }
  if (isNew && d.user?.status === 'active') {
    limits.push({ name: 'enrolments', key: `RATE#enrol#sms#${hour}`, max: deps.limits.enrolmentsTotal, expiresAt });
  }
  return limits;
}

/** Warning signs read in messages, by tier: a metric an operator can watch and alarm on. */
export function countRedFlag(deps: { metrics: Metrics; log: Log }, d: Decision) {
  if (!d.redFlag) return;
  deps.metrics.count(d.redFlag.tier === 'emergency' ? 'RedFlagEmergency' : 'RedFlagSoon');
  deps.log.info('warning sign read', { tier: d.redFlag.tier, signs: d.redFlag.signs });
}
