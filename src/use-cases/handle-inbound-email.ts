import { layoutEmail, notSignedUpEmail, type EmailContent } from '../content/email.ts';
import { replyEmail } from '../core/email-reply.ts';
import { readEmail, type ReceiptVerdicts } from '../core/inbound-email.ts';
import { acceptSender, screenVerdicts } from '../core/sender-auth.ts';
import { hourBucket } from '../core/limits.ts';
import { contextOf, emailUserId, liveSeries, noChange, respond, type Decision } from '../core/respond.ts';
import { applyDecision } from './apply-decision.ts';
import { countRedFlag, isComplianceKeyword, type HandleSmsDeps } from './handle-inbound-sms.ts';
import type { EmailDelivery, RateLimit } from './ports.ts';

/** What a text needs, plus sending email and decoding MIME. */
export interface InboundEmailDeps extends HandleSmsDeps {
  email: EmailDelivery;
  /** Decodes a raw message: sender, subject, and the sender's own words (quotes and signature cut). */
  parse: (raw: Buffer | string) => Promise<{ from: string | null; subject: string; text: string; messageId: string | null; dkimDomains: string[] }>;
}

/**
 * Inbound mail larger than this is refused before it is parsed (the Lambda does not even download
 * it). Replies to a coach are a few KB; this leaves room for HTML and a signature logo.
 */
export const MAX_INBOUND_EMAIL_BYTES = 256 * 1024;

export interface InboundEmail {
  raw: Buffer | string;
  /** SES's message id (the S3 object key): the dedupe key. */
  sesMessageId: string;
  verdicts: ReceiptVerdicts;
  /** The envelope sender (SES's mail.source): what an SPF pass vouches for. */
  envelopeFrom?: string | null;
}

export type InboundEmailResult =
  | { outcome: 'answered' | 'no-reply' | 'duplicate' | 'limited' }
  | { outcome: 'dropped'; reason: string };

const TTL_MARGIN_S = 2 * 3600;

/**
 * An email arrives (the inbound-email Lambda, or POST /dev/email locally): check SES's verdicts,
 * parse it, run its first line or subject through the same core as a text, write the decision and
 * the dedupe record in one transaction, then send the reply. A reply that fails to send is sent
 * when the same message is delivered again (SES retries a failed Lambda), never twice.
 */
export async function handleInboundEmail(deps: InboundEmailDeps, mail: InboundEmail): Promise<InboundEmailResult> {
  const screened = screenVerdicts(mail.verdicts);
  if (!screened.ok) return dropped(deps, screened.reason);
  const size = typeof mail.raw === 'string' ? Buffer.byteLength(mail.raw) : mail.raw.length;
  if (size > MAX_INBOUND_EMAIL_BYTES) return dropped(deps, 'too large');
  const parsed = await deps.parse(mail.raw);
  if (!parsed.from) return dropped(deps, 'no sender address');
  const verdict = acceptSender(mail.verdicts, { from: parsed.from, envelopeFrom: mail.envelopeFrom ?? null, dkimDomains: parsed.dkimDomains });
  if (!verdict.ok) return dropped(deps, verdict.reason);
  const from = parsed.from;
  const key = `ses:${mail.sesMessageId}`;
  const owner = await deps.store.emailOwner(from);
  const inReplyTo = parsed.messageId ?? undefined;

  // Not signed up: one pointer to the page, under the same reply limits, and no profile.
  const userId = owner ?? emailUserId(from);
  let content = null as EmailContent | null;
  // Read once; again only when an open pain check changes what a bare number means.
  const plain = readEmail(parsed.subject, parsed.text);
  const decide = async (user: Parameters<typeof respond>[0], now: Date, load: (s: readonly string[]) => Promise<{ stepId: string; dueAt: string }[]>) => {
    if (!owner || !user) {
      content = notSignedUpEmail(deps.email.signUpUrl);
      return noChange;
    }
    // The whole reply is read (and triaged), not only its first line.
    const u = user.painTrack ? readEmail(parsed.subject, parsed.text, contextOf(user)) : plain;
    const pending = u.intent.kind === 'status' || u.intent.kind === 'resume' ? await load(liveSeries(user)) : undefined;
    const d = respond(user, { channel: 'email', from, text: u.text, now, newId: deps.newId, defaultTimezone: deps.defaultTimezone, pending }, u);
    content = replyEmail(d, d.user ?? user);
    return d;
  };
  const inbound = () => ({ messageSid: key, reply: content ? JSON.stringify(content) : null });
  // STOP, START and HELP read the same whatever the conversation: no context needed to exempt them.
  const limits = (_d: Decision, _isNew: boolean, now: Date) => (content && !isComplianceKeyword(plain.intent.kind) ? replyLimits(deps, from, now) : []);

  // An email from a pending address confirms it: its owner record then loses the pending expiry.
  const claimEmail = (d: Decision) => (d.consent?.action === 'opt-in' && d.consent.channel === 'email' && d.user?.email ? d.user.email.address : null);
  const applied = await applyDecision(deps, userId, decide, { now: deps.now, inbound, limits, claimEmail });
  if (applied.outcome === 'ok') countRedFlag(deps, applied.decision);
  if (applied.outcome === 'limited') {
    deps.log.warn('rate limit reached; email not answered', { limit: applied.limit, from });
    deps.metrics.count(`RateLimited_${applied.limit}`);
    // Keep what the message changed (an unsubscribe above all), just without a reply.
    const quiet = async (...args: Parameters<typeof decide>) => {
      const d = await decide(...args);
      content = null;
      return d;
    };
    await applyDecision(deps, userId, quiet, { now: deps.now, inbound, claimEmail });
    return { outcome: 'limited' };
  }
  if (applied.outcome === 'duplicate') {
    deps.log.info('duplicate inbound email', { sesMessageId: mail.sesMessageId });
    const pending = await deps.store.replyPending(key);
    if (!pending) return { outcome: 'duplicate' };
    content = JSON.parse(pending.reply) as EmailContent;
  }
  if (!content) return { outcome: applied.outcome === 'duplicate' ? 'duplicate' : 'no-reply' };
  await sendReply(deps, from, content, inReplyTo, owner !== null);
  await deps.store.markReplySent(key, deps.now());
  deps.metrics.count('EmailRepliesSent');
  return { outcome: applied.outcome === 'duplicate' ? 'duplicate' : 'answered' };
}

async function sendReply(deps: InboundEmailDeps, to: string, content: EmailContent, inReplyTo: string | undefined, subscribed: boolean) {
  // Only people on the list get a list's unsubscribe link; the sign-up pointer is a one-off.
  const unsubscribeUrl = subscribed ? deps.email.unsubscribeUrl(to) : undefined;
  await deps.email.sender.send({ to, ...layoutEmail(content, { unsubscribeUrl }), unsubscribeUrl, inReplyTo });
}

export function dropped(deps: Pick<InboundEmailDeps, 'log' | 'metrics'>, reason: string): InboundEmailResult {
  deps.log.warn('inbound email dropped', { reason });
  deps.metrics.count('InboundEmailDropped');
  return { outcome: 'dropped', reason };
}

/** Email replies have counters of their own: a flood of mail cannot use up the texts' replies. */
function replyLimits(deps: InboundEmailDeps, from: string, now: Date): RateLimit[] {
  const hour = hourBucket(now);
  const expiresAt = Math.floor(now.getTime() / 1000) + 3600 + TTL_MARGIN_S;
  return [
    { name: 'replies_per_address', key: `RATE#reply#email#${from}#${hour}`, max: deps.limits.repliesPerNumber, expiresAt },
    { name: 'email_replies', key: `RATE#reply#email#all#${hour}`, max: deps.limits.repliesTotal, expiresAt },
  ];
}
