import type { Transporter } from 'nodemailer';

export interface MimeInput {
  from: string;
  to: string;
  subject: string;
  text: string;
  html?: string;
  replyTo?: string;
  /** One-click unsubscribe (RFC 8058): the URL goes in List-Unsubscribe, and the POST header marks it one-click. */
  unsubscribeUrl?: string;
  /** For simulated inbound mail: the message this one answers, and a fixed Message-ID. */
  inReplyTo?: string;
  messageId?: string;
  date?: Date;
}

// nodemailer's stream transport only builds the message: encoding, folding and multipart/alternative
// are its job, and SES gets the finished bytes. Loaded on first use, so a cold start that sends no
// email (most webhooks) never pays for it.
let composer: Promise<Transporter> | undefined;
const load = () =>
  (composer ??= import('nodemailer').then(({ createTransport }) => createTransport({ streamTransport: true, buffer: true, newline: 'windows' })));

/** A complete RFC 5322 message, ready for SES SendRawEmail. */
export async function buildMime(input: MimeInput): Promise<Buffer> {
  const headers: Record<string, string> = {};
  if (input.unsubscribeUrl) {
    headers['List-Unsubscribe'] = `<${input.unsubscribeUrl}>`;
    headers['List-Unsubscribe-Post'] = 'List-Unsubscribe=One-Click';
  }
  const info = await (await load()).sendMail({
    from: input.from,
    to: input.to,
    subject: input.subject,
    text: input.text,
    ...(input.html ? { html: input.html } : {}),
    ...(input.replyTo ? { replyTo: input.replyTo } : {}),
    ...(input.inReplyTo ? { inReplyTo: input.inReplyTo, references: input.inReplyTo } : {}),
    ...(input.messageId ? { messageId: input.messageId } : {}),
    ...(input.date ? { date: input.date } : {}),
    headers,
  });
  return info.message as Buffer;
}
