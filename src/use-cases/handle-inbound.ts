import type { ChannelRules, Reply } from '../core/channel.ts';
import { noChange, withoutReply, type Decision } from '../core/decision.ts';
import { hourBucket, hourlyCounters, type AbuseLimits } from '../core/limits.ts';
import { respond } from '../core/respond.ts';
import { inContext, withIntent, type Intent, type Understanding } from '../core/understanding/index.ts';
import { contextOf, liveSeries, type UserState } from '../core/user.ts';
import { applyDecision } from './apply-decision.ts';
import type { InboundRecord, Log, Metrics, RateLimit, Store } from './ports.ts';

/**
 * One pipeline for every channel: understand the message, triage and decide (core/respond.ts),
 * word the reply for the channel, and write the decision, its reminders and the dedupe record
 * (with the worded reply) in one transaction under the channel's reply counters. The channel's
 * own steps stand around it: the SMS webhook's country block, Advanced Opt-Out and link YES
 * (handle-inbound-sms.ts); the email's verdicts, size, parse, sign-up pointer and sending after
 * the write (handle-inbound-email.ts).
 */

export interface InboundDeps {
  store: Store;
  now: () => Date;
  newId: () => string;
  log: Log;
  metrics: Metrics;
  /** For numbers whose country spans several zones (DEFAULT_TIMEZONE). */
  defaultTimezone: string;
  limits: AbuseLimits;
}

export interface InboundMessage {
  channel: ChannelRules;
  /** The sender: a phone number in E.164, or an email address. */
  from: string;
  /** Whose state the message changes. */
  userId: string;
  /** The same on every delivery of one message (Twilio's MessageSid, "ses:" and SES's message id). */
  dedupeKey: string;
  /** Reads the message, once and without context (an open pain check only classifies it again: inContext). */
  read: () => Understanding;
  /**
   * The carrier keyword the message is, from its reading, where the channel has its own rule (a
   * text: the carriers' whole-message keyword, or Advanced Opt-Out's); otherwise the reading's
   * intent decides. STOP, START and HELP read the same whatever the conversation: no context is
   * needed to exempt them.
   */
  keyword?: (u: Understanding) => string | null;
  /** The provider answered the keyword itself (Twilio's Advanced Opt-Out): the change is kept, with `via`, and nothing is said. */
  handledBy?: { intent: Intent; via: string };
  /** What someone with no profile here is told, instead of deciding anything (email: one pointer to the sign-up page). */
  stranger?: { reply: Reply; known: boolean };
  /** The address an opt-in by this message confirms is recorded as the user's in the same write (email). */
  claimsEmail?: boolean;
  /** How the reply goes back on this channel. */
  replies: ReplyOutlet;
}

/** How a channel sends the reply to an inbound message. */
export interface ReplyOutlet {
  /** Sends the reply, after the write (an email through SES); a text's goes back in the webhook's TwiML answer. */
  send(reply: Reply): Promise<void>;
  /**
   * The reply kept for a message handled before, if it is still to go: a retried webhook gets the
   * same TwiML answer again; a redelivered email, its reply only if that has not gone out.
   */
  stored(dedupeKey: string): Promise<Reply | null>;
}

/** What happened, and the reply sent (null for none). */
export type InboundResult = { reply: Reply | null } & (
  /** Written; `enrolled` when the message made a number signed up on the page active (its first text). */
  | { outcome: 'ok'; decision: Decision; enrolled: boolean }
  /** Handled before: the reply is the stored one, if it was still to go. */
  | { outcome: 'duplicate' }
  /** A limit was used up: the change was kept without a reply (unless it was a duplicate by then). */
  | { outcome: 'limited'; limit: string }
);

/** The counters a decision uses: a reply counts per sender and in total on its channel; a new person, the channel's enrolments. */
function limitsFor(deps: InboundDeps, msg: InboundMessage, keyword: string | null, d: Decision, isNew: boolean, now: Date, inbound: InboundRecord | null): RateLimit[] {
  if (isComplianceKeyword(keyword)) return [];
  const hour = hourBucket(now);
  const replies = inbound?.reply
    ? msg.channel.replyCounters(msg.from, hour).map((c) => ({ ...c, max: c.per === 'sender' ? deps.limits.repliesPerNumber : deps.limits.repliesTotal }))
    : [];
  const enrol = msg.channel.enrolCounter(hour);
  const enrolments = enrol && isNew && d.user?.status === 'active' ? [{ name: 'enrolments', key: enrol, max: deps.limits.enrolmentsTotal }] : [];
  return hourlyCounters(now, [...replies, ...enrolments]);
}

/** Reads, decides, words and writes one inbound message; when a limit is used up, writes it again without a reply. */
export async function handleInbound(deps: InboundDeps, msg: InboundMessage): Promise<InboundResult> {
  // Read once; an open pain check, which changes what a bare number means, only classifies it again.
  const plain = msg.read();
  const isStranger = (user: UserState | null) => msg.stranger !== undefined && (!msg.stranger.known || user === null);
  const decide = async (user: UserState | null, now: Date, load: (s: readonly string[]) => Promise<{ stepId: string; dueAt: string }[]>) => {
    if (isStranger(user)) return noChange;
    const read = user?.painTrack ? inContext(plain, contextOf(user)) : plain;
    const u = msg.handledBy ? withIntent(read, msg.handledBy.intent) : read;
    const pending = u.intent.kind === 'status' || u.intent.kind === 'resume' ? await load(liveSeries(user)) : undefined;
    const input = { channel: msg.channel.name, from: msg.from, text: u.text, now, newId: deps.newId, defaultTimezone: deps.defaultTimezone, pending };
    const d = respond(user, input, u);
    const via = msg.handledBy?.via;
    return via ? { ...withoutReply(d), consent: d.consent && { ...d.consent, via } } : d;
  };
  const word = (d: Decision, user: UserState | null) => (isStranger(user) ? msg.stranger!.reply : msg.channel.word(d, user));
  const inbound = (d: Decision, user: UserState | null): InboundRecord => ({ messageSid: msg.dedupeKey, reply: word(d, user) });
  // An email from a pending address confirms it: its owner record then loses the pending expiry.
  const claimEmail = (d: Decision) =>
    msg.claimsEmail && d.consent?.action === 'opt-in' && d.consent.channel === msg.channel.name && d.user?.email ? d.user.email.address : null;
  const keyword = msg.keyword ? msg.keyword(plain) : plain.intent.kind;
  const limits = (d: Decision, isNew: boolean, now: Date, record: InboundRecord | null) => limitsFor(deps, msg, keyword, d, isNew, now, record);

  const send = async (reply: Reply | null) => {
    if (reply) await msg.replies.send(reply);
    return reply;
  };
  const resend = async () => send(await msg.replies.stored(msg.dedupeKey));

  const first = await applyDecision(deps, msg.userId, decide, { now: deps.now, inbound, limits, claimEmail });
  if (first.outcome === 'ok') return { ...written(deps, first), reply: await send(first.inbound?.reply ?? null) };
  if (first.outcome === 'duplicate') {
    deps.log.info('duplicate inbound message', { channel: msg.channel.name, dedupeKey: msg.dedupeKey });
    return { outcome: 'duplicate', reply: await resend() };
  }
  // A limit is used up: keep what must be kept (an opt-out above all), but send nothing back,
  // and enrol no one new.
  deps.log.warn('rate limit reached; no reply', { channel: msg.channel.name, limit: first.limit, from: msg.from });
  deps.metrics.count(`RateLimited_${first.limit}`);
  const quiet = async (...args: Parameters<typeof decide>) => {
    const d = await decide(...args);
    if (first.limit === 'enrolments' && args[0] === null && d.user?.status === 'active') return noChange;
    return withoutReply(d);
  };
  const silent = () => ({ messageSid: msg.dedupeKey, reply: null });
  const second = await applyDecision(deps, msg.userId, quiet, { now: deps.now, inbound: silent, claimEmail });
  if (second.outcome === 'ok') written(deps, second);
  return { outcome: 'limited', limit: first.limit, reply: second.outcome === 'duplicate' ? await resend() : null };
}

function written(deps: InboundDeps, applied: { decision: Decision; before: UserState | null }) {
  countRedFlag(deps, applied.decision);
  // Only a number signed up on the page can have a link request: a brand-new one costs no extra read.
  const enrolled = applied.before?.status === 'pending' && applied.decision.user?.status === 'active';
  return { outcome: 'ok' as const, decision: applied.decision, enrolled };
}

/**
 * STOP, START and HELP are always answered and never counted: carriers require the answer, and a
 * flood of other messages must not silence an opt-out's confirmation.
 */
export const isComplianceKeyword = (keyword: string | null) => keyword === 'stop' || keyword === 'start' || keyword === 'help';

/** Warning signs read in messages, by tier: a metric an operator can watch and alarm on. */
export function countRedFlag(deps: { metrics: Metrics; log: Log }, d: Decision) {
  if (!d.redFlag) return;
  deps.metrics.count(d.redFlag.tier === 'emergency' ? 'RedFlagEmergency' : 'RedFlagSoon');
  deps.log.info('warning sign read', { tier: d.redFlag.tier, signs: d.redFlag.signs });
}
