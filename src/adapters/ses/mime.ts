
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

// nodemailer's MIME composer builds the message: encoding, folding and multipart/alternative are
// its job, and SES gets the finished bytes. Only the composer (not nodemailer's transports), and
// loaded on first use, so a cold start that sends no email (most webhooks) never pays for it.
let composer: Promise<typeof import('nodemailer/lib/mail-composer').default> | undefined;
const load = () => (composer ??= import('nodemailer/lib/mail-composer').then((m) => m.default));

/** A complete RFC 5322 message, ready for SES SendRawEmail. */
export async function buildMime(input: MimeInput): Promise<Buffer> {
  const headers: Record<string, string> = {};
  if (input.unsubscribeUrl) {
    headers['List-Unsubscribe'] = `<${input.unsubscribeUrl}>`;
    headers['List-Unsubscribe-Post'] = 'List-Unsubscribe=One-Click';
  }
  const MailComposer = await load();
  return new MailComposer({
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
  })
    .compile()
    .build();
}
