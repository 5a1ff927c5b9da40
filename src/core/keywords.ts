/**
 * Reads what a person texted and decides what they meant. Pure: no I/O, no clock.
 *
 * Opt-out and opt-in words follow the carriers' (CTIA) and Twilio's rule that the keyword must be
 * the whole message, so "I can't stop eating" never unsubscribes anyone.
 */

export type Intent =
  | { kind: 'checkin'; details: string; pain: PainReport | null }
  | { kind: 'pain'; report: PainReport }
  | { kind: 'stop' }
  | { kind: 'start' }
  | { kind: 'help' }
  | { kind: 'status' }
  | { kind: 'history' }
  | { kind: 'tz'; zone: string }
  /** A bare 0-10 ("6", "6/10"), the answer to "How is your back today?". */
  | { kind: 'score'; score: number }
  | { kind: 'unknown' };

export interface PainReport {
  /** 0-10 when the person gave one. */
  score: number | null;
  text: string;
}

export const OPT_OUT_WORDS = ['stop', 'stopall', 'unsubscribe', 'cancel', 'end', 'quit', 'revoke', 'optout'] as const;
export const OPT_IN_WORDS = ['start', 'unstop', 'yes'] as const;
export const HELP_WORDS = ['help', 'info'] as const;
/**
 * Plain-language revocations. CTIA asks that "any reasonable means" of opting out be honoured, so
 * these whole messages count as STOP too; they are anchored to the whole text so that "don't stop
 * the texts" or "stop sign" never unsubscribes anyone.
 */
const REVOCATIONS: readonly RegExp[] = [
  /^(?:please |pls |plz )?(?:stop|quit|cease|end)(?: (?:texting|txting|messaging|msging|sending|contacting|spamming|bothering))?(?: me)?(?: (?:texts|messages|msgs|these|this|now|anymore|any more|please|pls|thanks|thank you))*$/,
  /^(?:please |pls )?(?:unsubscribe|unsub|opt out|remove|delete) (?:me|my number)(?: from (?:this|the|your) (?:list|service))?(?: please| pls| now| thanks)*$/,
  /^(?:please |pls )?take me off (?:this|the|your) list(?: please| now)*$/,
  /^(?:no more|dont send me any more|dont send me anymore) (?:texts|messages|msgs)(?: please)?$/,
  /^(?:leave me alone|do not contact me|dont contact me|dont text me|do not text me)(?: please| anymore)*$/,
];

const STATUS_WORDS = ['status', 'next', 'whats next', 'what next'];
const HISTORY_WORDS = ['history', 'log', 'my log', 'my history'];

const LEG_WORDS = new Set(['leg', 'legs', 'legday', 'legsday', 'legday', 'legz']);
const DONE_WORDS = new Set([
  'done', 'did', 'finished', 'finish', 'complete', 'completed', 'over', 'smashed', 'crushed', 'destroyed', 'killed', 'dusted', 'hit',
]);
const FILLER_WORDS = new Set(['just', 'my', 'today', 'day', 'and', 'all', 'is', 'are', 'now', 'the', 'with', 'for', 'ok', 'yay', 'woo']);
const PAIN_WORDS = new Set([
  'pain', 'painful', 'pains', 'hurt', 'hurts', 'hurting', 'ache', 'aches', 'aching', 'achy', 'sore', 'ouch', 'ow', 'owww', 'sciatica',
]);
const LIFT_HINT = /^(?:\d+(?:\.\d+)?(?:kg|kgs|lb|lbs|x\d+)?|kg|kgs|lb|lbs|x|squats?|sq|deadlifts?|dl|rdls?|lunges?|press|leg|bench|hack|front|back|sets?|reps?)$/;

/** Lower-case words with every mark of punctuation and spacing folded away. */
export function words(text: string): string[] {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[’‘`]/g, "'")
    .replace(/'/g, '')
    .split(/[^\p{L}\p{N}.]+/u)
    .map((w) => w.replace(/^\.+|\.+$/g, ''))
    .filter((w) => w.length > 0);
}

export function parseText(text: string): Intent {
  const ws = words(text);
  const whole = ws.join('');
  if (ws.length === 1 || ws.length === 0) {
    if ((OPT_OUT_WORDS as readonly string[]).includes(whole)) return { kind: 'stop' };
    if ((OPT_IN_WORDS as readonly string[]).includes(whole)) return { kind: 'start' };
    if ((HELP_WORDS as readonly string[]).includes(whole)) return { kind: 'help' };
  }
  const phrase = ws.join(' ');
  if (REVOCATIONS.some((re) => re.test(phrase))) return { kind: 'stop' };
  if (STATUS_WORDS.includes(phrase)) return { kind: 'status' };
  if (HISTORY_WORDS.includes(phrase)) return { kind: 'history' };
  const tz = /^\s*(?:tz|time\s*zone)\b[\s:=]*(.*)$/is.exec(text);
  if (tz) return { kind: 'tz', zone: tz[1]!.trim() };
  const pain = readPain(ws, text);
  const checkin = readCheckin(ws);
  if (checkin !== null) return { kind: 'checkin', details: checkin, pain };
  if (pain !== null) return { kind: 'pain', report: pain };
  const score = ws.length <= 4 && /^[\s\d/.!a-z]*$/i.test(text) ? readScore(text) : null;
  if (score !== null && ws.some((w) => /^\d+$/.test(w))) return { kind: 'score', score };
  return { kind: 'unknown' };
}

/**
 * A check-in is a leg word plus a done word in either order ("legs done", "done legs", "leg day
 * done"), or a leg word on its own, maybe followed by what was lifted ("legs squat 140kg").
 * Returns the words after the check-in phrase (lift details), or null when it is not a check-in.
 */
function readCheckin(ws: string[]): string | null {
  // "legday" may arrive as "leg day", "legs day" or "LEGDAY"; join so one rule covers all.
  const joined: string[] = [];
  for (let i = 0; i < ws.length; i++) {
    const w = ws[i]!;
    if ((w === 'leg' || w === 'legs') && ws[i + 1] === 'day') {
      joined.push('legday');
      i++;
    } else joined.push(w);
  }
  let i = 0;
  let sawLeg = false;
  let sawDone = false;
  // The head of the message: filler, leg and done words in any order.
  while (i < joined.length) {
    const w = joined[i]!;
    if (LEG_WORDS.has(w)) sawLeg = true;
    else if (DONE_WORDS.has(w)) sawDone = true;
    else if (!FILLER_WORDS.has(w)) break;
    i++;
  }
  if (!sawLeg) return null;
  const rest = joined.slice(i);
  if (sawDone) return rest.join(' ');
  // "legs" with no done word counts only if nothing but lift details follows it.
  if (rest.every((w) => LIFT_HINT.test(w))) return rest.join(' ');
  return null;
}

function readPain(ws: string[], text: string): PainReport | null {
  if (!ws.some((w) => PAIN_WORDS.has(w))) return null;
  return { score: readScore(text), text };
}

/** "pain 7", "pain: 8/10", "8 out of 10", "a 6". Numbers with units (140kg) are weights, not scores. */
export function readScore(text: string): number | null {
  const lower = text.toLowerCase();
  const outOf = /(\d{1,2})\s*(?:\/|out of|of)\s*10\b/.exec(lower);
  if (outOf) return clampScore(Number(outOf[1]));
  for (const m of lower.matchAll(/(?<![\d.])(\d{1,2})(?![\d.]|\s*(?:kg|kgs|lb|lbs|x|reps|sets|%|h|hrs|hours|days|d\b|min))/g)) {
    const n = clampScore(Number(m[1]));
    if (n !== null) return n;
  }
  return null;
}

function clampScore(n: number): number | null {
  return Number.isInteger(n) && n >= 0 && n <= 10 ? n : null;
}
