import EmailReplyParser from 'email-reply-parser';
import { simpleParser } from 'mailparser';

export interface ParsedEmail {
  /** The sender's address, lower-cased; null when the From header holds none. */
  from: string | null;
  subject: string;
  /** The sender's own words: the plain-text body without the quoted thread and signature. */
  text: string;
  messageId: string | null;
}

/** Parses a raw RFC 5322 message with mailparser: MIME parts, encodings and charsets are its job. */
export async function parseEmail(raw: Buffer | string): Promise<ParsedEmail> {
  const mail = await simpleParser(raw, { skipImageLinks: true, skipTextToHtml: true });
  const address = mail.from?.value.find((a) => a.address)?.address ?? null;
  return {
    from: address ? address.trim().toLowerCase() : null,
    subject: mail.subject ?? '',
    // email-reply-parser knows the quote headers and signature markers of the common mail apps.
    text: new EmailReplyParser().parseReply(mail.text ?? ''),
    messageId: mail.messageId ?? null,
  };
}
