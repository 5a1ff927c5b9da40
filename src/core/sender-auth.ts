import type { ReceiptVerdicts } from './inbound-email.ts';

/**
 * Whether an inbound email really comes from the address in its From header. Pure: the receipt
 * verdicts come from SES, the envelope sender from SES's event, the DKIM signing domains from the
 * message's own DKIM-Signature headers.
 *
 * An SPF or DKIM pass alone proves nothing about From: SPF vouches for the envelope sender and DKIM
 * for the signing domain, and anyone can pass both for a domain of their own while typing someone
 * else's address in From. So, as DMARC itself does, a pass only counts when its domain is aligned
 * with the From domain. A DMARC PASS is enough; a DMARC FAIL is never overridden; GRAY (no policy),
 * PROCESSING_FAILED or DISABLED fall back to the aligned checks.
 */
export interface SenderIdentity {
  /** The From address, lower-cased. */
  from: string;
  /** The envelope sender (MAIL FROM / Return-Path), when known. */
  envelopeFrom: string | null;
  /** The d= domain of every DKIM-Signature header in the message. */
  dkimDomains: readonly string[];
}

export type SenderVerdict = { ok: true } | { ok: false; reason: string };

/** The checks that need nothing but SES's verdicts: done before the message is even parsed. */
export function screenVerdicts(v: ReceiptVerdicts): SenderVerdict {
  if (v.virus === 'FAIL') return { ok: false, reason: 'virus' };
  if (v.spam === 'FAIL') return { ok: false, reason: 'spam' };
  if (v.dmarc === 'FAIL') return { ok: false, reason: 'dmarc failed' };
  if (v.spf !== 'PASS' && v.dkim !== 'PASS') return { ok: false, reason: 'sender not authenticated (no SPF or DKIM pass)' };
  return { ok: true };
}

/** Acts on an email only when DMARC passed, or SPF or DKIM passed for a domain aligned with From. */
export function acceptSender(v: ReceiptVerdicts, s: SenderIdentity): SenderVerdict {
  const screened = screenVerdicts(v);
  if (!screened.ok) return screened;
  if (v.dmarc === 'PASS') return { ok: true };
  const fromDomain = domainOf(s.from);
  if (!fromDomain) return { ok: false, reason: 'no From domain' };
  const envelope = s.envelopeFrom ? domainOf(s.envelopeFrom) : null;
  if (v.spf === 'PASS' && envelope && aligned(envelope, fromDomain)) return { ok: true };
  // SES says whether a signature verified, not which one: every signature must be aligned, so a
  // passing signature of the sender's own domain cannot carry an aligned-looking one that failed.
  const dkim = s.dkimDomains.map((d) => d.trim().toLowerCase()).filter(Boolean);
  if (v.dkim === 'PASS' && dkim.length > 0 && dkim.every((d) => aligned(d, fromDomain))) return { ok: true };
  return { ok: false, reason: 'sender not aligned (no DMARC pass, no SPF or DKIM pass for the From domain)' };
}

/** The domain of an address, lower-cased, or null. */
export function domainOf(address: string): string | null {
  const at = address.lastIndexOf('@');
  const d = (at >= 0 ? address.slice(at + 1) : '').trim().replace(/>$/, '').replace(/\.$/, '').toLowerCase();
  return /^[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?$/.test(d) && d.includes('.') ? d : null;
}

/**
 * Relaxed alignment (RFC 7489 3.1), without a public-suffix list: the same domain, or one a
 * subdomain of the other (bounces.example.com and example.com). Two sibling subdomains do not
 * count, which errs on the side of dropping. A suffix with no dot of its own (a bare TLD) never counts.
 */
export function aligned(a: string, b: string): boolean {
  if (a === b) return true;
  const [long, short] = a.length > b.length ? [a, b] : [b, a];
  return short.includes('.') && long.endsWith('.' + short);
}
