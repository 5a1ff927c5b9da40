import EmailReplyParser from 'email-reply-parser';
import { simpleParser } from 'mailparser';

export interface ParsedEmail {
  /** The sender's address, lower-cased; null when the From header holds none. */
  from: string | null;
  subject: string;
  /** The sender's own words: the plain-text body without the quoted thread and signature. */
  text: string;
  messageId: string | null;
  /** The d= domain of each DKIM-Signature header: what DKIM vouches for (core/sender-auth.ts). */
  dkimDomains: string[];
}

/**
 * How much of the plain-text body reaches the reply parser. Only the first line or two are ever
 * read, and email-reply-parser's regular expressions take seconds over a crafted body of 100 KB:
 * a few KB keep it to milliseconds.
 */
export const MAX_PARSED_TEXT_CHARS = 4 * 1024;

/** Parses a raw RFC 5322 message with mailparser: MIME parts, encodings and charsets are its job. */
export async function parseEmail(raw: Buffer | string): Promise<ParsedEmail> {
  const mail = await simpleParser(raw, { skipImageLinks: true, skipTextToHtml: true });
  const address = mail.from?.value.find((a) => a.address)?.address ?? null;
  return {
    from: address ? address.trim().toLowerCase() : null,
    subject: (mail.subject ?? '').slice(0, 998),
    // email-reply-parser knows the quote headers and signature markers of the common mail apps.
    text: new EmailReplyParser().parseReply((mail.text ?? '').slice(0, MAX_PARSED_TEXT_CHARS)),
    messageId: mail.messageId ?? null,
    dkimDomains: mail.headerLines
      .filter((h) => h.key === 'dkim-signature')
      .map((h) => /(?:^|[:;])\s*d\s*=\s*([^;\s]+)/i.exec(h.line.replace(/^dkim-signature:/i, ';'))?.[1] ?? '')
      .map((d) => d.toLowerCase()),
  };
}
