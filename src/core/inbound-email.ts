import { understandParts, type IntentContext, type Understanding } from './understanding/index.ts';

/**
 * What of an inbound email counts. Pure, like the rest of the core: the adapter has decoded the
 * MIME and cut the quoted thread and signature. The intent comes from the sender's first own
 * line past the greeting ("Hi coach,"), else their whole message, else the subject; triage reads
 * everything they wrote, subject included, because a warning sign is often in the second paragraph.
 */

/** The non-blank lines of the sender's own words. */
export function ownLines(visible: string, max = 50): string[] {
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

const GREETING = /^(?:hi|hey|hello|hiya|dear|yo|morning|good (?:morning|afternoon|evening)|greetings|howdy|sup|ok so|so)\b[^.!?\n]{0,30}?[,!:.-]*$/i;
const GREETING_PREFIX = /^(?:hi|hey|hello|hiya|dear|yo|morning|good (?:morning|afternoon|evening))(?: (?:coach|legday|team|there|mate|folks|all|guys))?[,!:-]+\s*/i;
const SIGN_OFF = /^(?:thanks|thank you|thx|cheers|best|regards|kind regards|best regards|many thanks|ta|later|speak soon|sent from my \w+|get outlook for \w+|--|-- ?\w*|[a-z]\.?|[A-Z][a-z]{1,15}(?: [A-Z][a-z]{1,15})?)[,!.]*$/i;
/** How much of an email the layer reads: past this it is not a message to a coach. */
const MAX_OWN_CHARS = 4000;

/** The sender's words with greetings and sign-offs taken off. */
export function emailWords(visible: string): string[] {
  const lines = ownLines(visible).map((l) => l.replace(GREETING_PREFIX, '')).filter((l) => l && !GREETING.test(l));
  // Sign-offs and a name only count at the end: "Thanks" as the whole message is a thank-you.
  while (lines.length > 1 && SIGN_OFF.test(lines[lines.length - 1]!)) lines.pop();
  return lines;
}

/** Reads an email: its intent, entities and triage, as one message. */
export function readEmail(subject: string, visible: string, ctx?: IntentContext): Understanding {
  const lines = emailWords(visible);
  const whole = lines.join('\n').slice(0, MAX_OWN_CHARS);
  const subj = cleanSubject(subject);
  // The intent: the first own line, else the whole message (when it has more lines), else the subject.
  const intentFrom = [lines[0], lines.length > 1 ? whole : '', subj].filter((t): t is string => Boolean(t));
  return understandParts({ intentFrom, fallback: whole || subj, whole: [subj, whole].filter(Boolean).join('\n'), text: whole || subj }, ctx);
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
