import { layoutEmail, notSignedUpEmail, type EmailContent } from '../content/email.ts';
import { EMAIL_CHANNEL, type Reply } from '../core/channel.ts';
import { readEmail, type ReceiptVerdicts } from '../core/inbound-email.ts';
import { acceptSender, screenVerdicts } from '../core/sender-auth.ts';
import { handleInbound, type InboundDeps } from './handle-inbound.ts';
import type { EmailDelivery } from './ports.ts';

/** What a text needs, plus sending email and decoding MIME. */
export interface InboundEmailDeps extends InboundDeps {
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

/**
 * An email arrives (the inbound-email Lambda, or POST /dev/email locally): the email steps (SES's
 * verdicts, the size limit, parsing, the sender check) around the same pipeline as a text
 * (handle-inbound.ts), then the reply is sent after the write. A reply that fails to send is sent
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

  const result = await handleInbound(deps, {
    channel: EMAIL_CHANNEL,
    from,
    userId: owner ?? EMAIL_CHANNEL.userId(from),
    dedupeKey: key,
    // The whole reply is read (and triaged), not only its first line.
    read: () => readEmail(parsed.subject, parsed.text),
    // Not signed up: one pointer to the page, under the same reply limits, and no profile.
    stranger: { reply: { channel: 'email', content: notSignedUpEmail(deps.email.signUpUrl) }, known: owner !== null },
    claimsEmail: true,
    replies: {
      send: async (reply) => {
        await sendReply(deps, from, reply, parsed.messageId ?? undefined, owner !== null);
        await deps.store.markReplySent(key, deps.now());
        deps.metrics.count('EmailRepliesSent');
      },
      stored: async (k) => (await deps.store.replyPending(k))?.reply ?? null,
    },
  });
  if (result.outcome === 'ok') return { outcome: result.reply ? 'answered' : 'no-reply' };
  return { outcome: result.outcome };
}

async function sendReply(deps: InboundEmailDeps, to: string, reply: Reply, inReplyTo: string | undefined, subscribed: boolean) {
  if (reply.channel !== 'email') throw new Error('an email can only be answered by email');
  const content: EmailContent = reply.content;
  // Only people on the list get a list's unsubscribe link; the sign-up pointer is a one-off.
  const unsubscribeUrl = subscribed ? deps.email.unsubscribeUrl(to) : undefined;
  await deps.email.sender.send({ to, ...layoutEmail(content, { unsubscribeUrl }), unsubscribeUrl, inReplyTo });
}

export function dropped(deps: Pick<InboundEmailDeps, 'log' | 'metrics'>, reason: string): InboundEmailResult {
  deps.log.warn('inbound email dropped', { reason });
  deps.metrics.count('InboundEmailDropped');
  return { outcome: 'dropped', reason };
}
