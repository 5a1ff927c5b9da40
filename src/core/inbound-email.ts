import { parseText, type Intent } from './keywords.ts';

/**
 * What of an inbound email counts: its subject and first line. Pure, like the rest of the core:
 * the adapter has decoded the MIME and cut the quoted thread and signature.
 */

/** The first non-blank lines of the sender's own words (the adapter has cut the quoted thread). */
export function ownLines(visible: string, max = 3): string[] {
  return visible
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .slice(0, max);
}

/** "Re: Fwd: Leg day" → "Leg day". */
export function cleanSubject(subject: string): string {
  return subject.replace(/^\s*((re|fw|fwd|aw|sv|antw)\s*(\[\d+\])?\s*:\s*)+/i, '').trim();
}

/**
 * The message an email carries: the first line of its body when that line means something, else
 * its subject (so "legs done" works in either place). Returns the text used, for the record.
 */
export function emailMessage(subject: string, body: string): { text: string; intent: Intent } {
  const first = ownLines(body, 1)[0] ?? '';
  if (first) {
    const intent = parseText(first);
    if (intent.kind !== 'unknown') return { text: first, intent };
  }
  const subj = cleanSubject(subject);
  if (subj) {
    const intent = parseText(subj);
    if (intent.kind !== 'unknown') return { text: subj, intent };
  }
  const text = first || subj;
  return { text, intent: parseText(text) };
}

export type Verdict = 'PASS' | 'FAIL' | 'GRAY' | 'PROCESSING_FAILED' | 'DISABLED';

/** The checks SES ran on a received message (the receipt in its Lambda event). */
export interface ReceiptVerdicts {
  spam: Verdict;
  virus: Verdict;
  spf: Verdict;
  dkim: Verdict;
  dmarc: Verdict;
}

/** Whether to act on an inbound email: core/sender-auth.ts (DMARC, or SPF/DKIM aligned with From). */

/** A usable email address, lower-cased, or null. Deliberately plain: SES and the link decide the rest. */
export function normalizeEmail(input: string): string | null {
  const s = input.trim().toLowerCase();
  if (s.length > 254) return null;
  return /^[^\s@<>()[\]\\,;:"]+@[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/.test(s) ? s : null;
}
