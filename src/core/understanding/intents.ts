/**
 * What a person wants: the intent of one message, from its normalised words. Pure. Rules, in a
 * fixed order of precedence, over word classes kept in intents.json. Carrier keywords
 * (STOP, START, HELP) follow the carriers' (CTIA) and Twilio's rule that the keyword is the whole
 * message, so "I can't stop eating" never unsubscribes anyone.
 */
import rules from './intents.json' with { type: 'json' };
import type { Entities } from './entities.ts';
import type { Normalised } from './normalise.ts';
import type { Triage } from './triage.ts';
import { resolveZone } from '../zones.ts';

export type QuestionTopic = 'ice-or-heat' | 'ice-duration' | 'train-again' | 'bracing' | 'stretching' | 'warm-up' | 'progression' | 'other';
export type SmallTalk = 'thanks' | 'better' | 'greeting' | 'ack';

export type Intent =
  | { kind: 'checkin' }
  | { kind: 'upcoming' }
  | { kind: 'soreness' }
  /** A bare 0-10 ("6", "6/10", "like a 7"): the answer to "How is your back today?". The number is entities.score. */
  | { kind: 'score' }
  | { kind: 'question'; topic: QuestionTopic }
  | { kind: 'status' }
  | { kind: 'history' }
  | { kind: 'smalltalk'; tone: SmallTalk }
  | { kind: 'pause' }
  | { kind: 'resume' }
  | { kind: 'skipped' }
  /** "misread": the last warning-sign reply read them wrong. */
  | { kind: 'misread' }
  | { kind: 'stop' }
  | { kind: 'start' }
  | { kind: 'help' }
  | { kind: 'timezone'; zone: string }
  | { kind: 'unknown' };

export type IntentKind = Intent['kind'];

export const OPT_OUT_WORDS = ['stop', 'stopall', 'unsubscribe', 'cancel', 'end', 'quit', 'revoke', 'optout'] as const;
export const OPT_IN_WORDS = ['start', 'unstop', 'yes'] as const;
export const HELP_WORDS = ['help', 'info'] as const;

const re = (source: string) => new RegExp(`(?<![a-z0-9])(?:${source})(?![a-z0-9])`);
const R = Object.fromEntries(Object.entries(rules.patterns).map(([k, v]) => [k, re(v)])) as Record<keyof typeof rules.patterns, RegExp>;
const REVOCATIONS = rules.revocations.map((s) => new RegExp(`^(?:${s})$`));
const TOPICS = Object.entries(rules.topics).map(([topic, source]) => [topic as QuestionTopic, re(source)] as const);
const SMALL_TALK = Object.entries(rules.smallTalk).map(([tone, source]) => [tone as SmallTalk, re(source)] as const);

/** Lower-case words of the message as sent, punctuation folded away: for the carriers' whole-message keywords. */
export function rawWords(text: string): string[] {
  return text
    .normalize('NFKC')
    .toLowerCase()
    // Invisible characters pasted into a keyword ("S\u200bTOP") do not hide it.
    .replace(/[\u200b-\u200d\u2060\ufeff]/g, '')
    .replace(/[’‘`]/g, "'")
    .replace(/'/g, '')
    .split(/[^\p{L}\p{N}.]+/u)
    .map((w) => w.replace(/^\.+|\.+$/g, ''))
    .filter((w) => w.length > 0);
}

/**
 * One text as classify reads it, made once (understanding/index.ts): classifying it again in a
 * context reads nothing again.
 */
export interface Reading {
  normalised: Normalised;
  entities: Entities;
  triage: Triage;
  /** The text with its figures of speech cut out (triage.ts), as triage read it. */
  literal: string;
  /** STOP, START or HELP when the text is one, as carriers read it. */
  keyword: CarrierKeyword | null;
}

export type CarrierKeyword = 'stop' | 'start' | 'help';

export interface IntentContext {
  /** "How is your back today? Reply 0-10" is waiting for an answer. */
  painCheckOpen: boolean;
}

/**
 * STOP, START or HELP, as carriers read them: the keyword is the whole message, or a plain-language
 * opt-out ("stop texting me", "unsubscribe me please"). Cheap: no normalising needed.
 */
export function carrierKeyword(text: string): CarrierKeyword | null {
  const ws = rawWords(text);
  const whole = ws.join('');
  if (ws.length <= 1) {
    if ((OPT_OUT_WORDS as readonly string[]).includes(whole)) return 'stop';
    if ((OPT_IN_WORDS as readonly string[]).includes(whole)) return 'start';
    if ((HELP_WORDS as readonly string[]).includes(whole)) return 'help';
  }
  const phrase = ws.join(' ');
  if (REVOCATIONS.some((r) => r.test(phrase)) || R.revocationStart.test(phrase)) return 'stop';
  return null;
}

export function classify(r: Reading, ctx: IntentContext): Intent {
  const { normalised: n, entities: e, triage: tri, keyword } = r;
  if (keyword) return { kind: keyword };
  const tz = /^\s*(?:tz|time\s*zone)\b[\s:=]*(.*)$/is.exec(n.raw);
  if (tz) return { kind: 'timezone', zone: tz[1]!.trim() };

  const t = n.text;
  const words = n.tokens.filter((w) => w !== ',' && w !== '?');
  // "cabin fever", "fell asleep on the sofa": figures of speech are not soreness either.
  const sore = R.sore.test(r.literal) || R.soreFigures.test(t);
  if (words.length === 0) return { kind: 'unknown' };
  if (R.misread.test(t) && words.length <= 10) return { kind: 'misread' };
  if (R.startAsk.test(t)) return { kind: 'start' };

  const legs = R.legWord.test(t);
  const strong = R.done.test(t);
  // "yesterday" or "this morning" says when, not that a session happened: with soreness it is a report.
  const done = strong || (R.weakDone.test(t) && !R.sore.test(t));
  // A number while the morning check is open is its answer ("6", "6 and numb", "4, better"). The
  // context is read here alone and only ever makes a score (index.ts's inContext relies on it).
  if (e.score !== null && !(legs && done)) {
    if (ctx.painCheckOpen ? words.length <= 24 : isBareScore(words)) return { kind: 'score' };
  }

  const starts = R.questionStart.test(words.slice(0, 3).join(' '));
  const asked = n.asked || starts || R.orQuestion.test(t);
  if (R.pause.test(t) && !R.resume.test(t)) return { kind: 'pause' };
  if (R.resume.test(t)) return { kind: 'resume' };
  if (R.historyAsk.test(t) || (R.historyWord.test(t) && words.length <= 4)) return { kind: 'history' };
  if (R.status.test(t)) return { kind: 'status' };

  const skipped = R.skipped.test(t);
  const planned = R.future.test(t) && !R.pastTense.test(t);
  const liftDone = R.liftDone.test(t);
  const strongDone = R.strongDone.test(t);
  const notDone = R.notDone.test(t);
  const checkin = !skipped && !notDone && ((legs && done) || liftDone || (R.legLift.test(t) && done && !planned) || (legs && R.onlyLegs.test(t)));
  if (checkin && !(asked && !strongDone && !liftDone) && !(planned && !strongDone)) return { kind: 'checkin' };
  if (skipped && (legs || R.session.test(t)) && !starts) return { kind: 'skipped' };

  // "ice or heat mate": some questions need no question mark.
  const unasked = TOPICS.find(([topic, r]) => (topic === 'ice-or-heat' || topic === 'ice-duration') && r.test(t) && R.iceOrHeatBare.test(t));
  if (unasked) return { kind: 'question', topic: unasked[0] };
  if (asked) {
    for (const [topic, r] of TOPICS) if (r.test(t)) return { kind: 'question', topic };
    // A symptom with "is that normal?" is a report first: triage answers it.
    if (tri.tier === 'none' && (sore || R.bodyPart.test(t) || R.advice.test(t))) {
      if (!sore || starts || R.questionWords.test(t)) return { kind: 'question', topic: 'other' };
    }
  }
  if ((legs || R.session.test(t)) && planned && !sore) return { kind: 'upcoming' };
  if (sore || tri.tier !== 'none' || R.bodyReport.test(t) || (e.score !== null && R.bodyPart.test(t))) return { kind: 'soreness' };
  if (legs && (planned || R.legDayAlone.test(t))) return { kind: 'upcoming' };
  if (R.naturalZone.test(t)) {
    const zone = zoneFrom(t);
    if (R.zoneWords.test(t) || (zone && resolveZone(zone))) return { kind: 'timezone', zone };
  }
  if (R.helpAsk.test(t)) return { kind: 'help' };
  const tone = smallTalk(words, t);
  if (tone) return { kind: 'smalltalk', tone };
  if (asked && R.advice.test(t)) return { kind: 'question', topic: 'other' };
  if (n.laughing) return { kind: 'smalltalk', tone: 'ack' };
  return { kind: 'unknown' };
}

/** Thanks, ok, 👍, "better today", hi: nothing to act on but a short word back. */
function smallTalk(words: string[], t: string): SmallTalk | null {
  const rest = words.filter((w) => !R.filler.test(w));
  const thanks = R.thanks.test(t);
  if (rest.length > 0 && !(thanks && (words.length <= 8 || (words.length <= 12 && R.thanks.test(words.slice(0, 3).join(' ')))))) return null;
  for (const [tone, r] of SMALL_TALK) if (r.test(t)) return tone;
  return 'ack';
}

/** "6", "6/10", "about a 4", "pain 7": a score with little else. */
function isBareScore(words: string[]): boolean {
  return words.length <= 4 && words.every((w) => /^(?:\d{1,2}(?:\/10|ish)?|10|out|of|ten|a|an|about|like|around|maybe|solid|prob|probably|zero|one|two|three|four|five|six|seven|eight|nine|its|is|today|now|lol|\/)$/.test(w));
}

/** "i am in denver now" → "denver": the longest run of one to three words after "in" that is a known place. */
function zoneFrom(t: string): string {
  const m = /(?:in|to|from|on) ([a-z]+(?: [a-z]+){0,2})/.exec(t);
  if (!m) return '';
  const words = m[1]!.split(' ');
  for (let len = words.length; len > 0; len--) {
    const place = words.slice(0, len).join(' ');
    if (resolveZone(place)) return place;
  }
  return words[0]!;
}

/** Pain, soreness or stiffness words anywhere in the message. */
export function mentionsPainWords(n: Normalised): boolean {
  return R.sore.test(n.text);
}
