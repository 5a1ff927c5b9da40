/**
 * Triage: the recall-first pass for warning signs that runs on every inbound message before
 * anything else reads it. Two tiers (shared/recovery-facts.md, Safety): "emergency" (get help
 * now) and "soon" (see a doctor soon). The signs are data (red-flags.json); this file decides
 * what does not count: a negation in the same clause ("no numbness", "not tingly"), and everyday
 * figures of speech ("fell asleep", "cabin fever"), which are cut out before any sign is read.
 * When a phrase could be either, it counts: a false alarm costs a text, a miss costs far more.
 */
import lexicon from './lexicon.json' with { type: 'json' };
import redFlags from './red-flags.json' with { type: 'json' };
import type { Entities } from './entities.ts';
import type { Normalised } from './normalise.ts';

export type Tier = 'none' | 'soon' | 'emergency';

export interface Triage {
  tier: Tier;
  /** The signs read, highest tier only, e.g. ["fever", "leg-numbness"]. */
  signs: string[];
  /** What the reply says it noticed, one phrase per sign. */
  noticed: string[];
}

interface Pattern {
  re: RegExp;
  /** An inability ("not been able to control my bowels"): a negation before it is part of the sign. */
  inability: boolean;
}

interface Sign {
  id: string;
  tier: Exclude<Tier, 'none'>;
  noticed: string;
  patterns: Pattern[];
  notWith: RegExp | null;
  needsWith: RegExp | null;
  /** Anywhere in the message, this rules the sign out ("...but that's the baby, not my back"). */
  notInMessage: RegExp | null;
}

const TERMS = redFlags.terms as Record<string, string>;
/** "{NUMB}" in a pattern stands for the shared term list of that name. */
const expand = (p: string) => p.replace(/\{(\w+)\}/g, (_, name: string) => TERMS[name] ?? `{${name}}`);

const SIGNS: Sign[] = redFlags.signs.map((s) => ({
  id: s.id,
  tier: s.tier as Sign['tier'],
  noticed: s.noticed,
  patterns: s.patterns.map((p) => ({
    re: new RegExp(`(?<![a-z0-9])(?:${expand(p.replace(/^~/, ''))})(?![a-z0-9])`, 'g'),
    inability: p.startsWith('~'),
  })),
  notWith: 'notWith' in s && s.notWith ? new RegExp(`(?<![a-z0-9])(?:${s.notWith})`) : null,
  needsWith: 'needsWith' in s && s.needsWith ? new RegExp(`(?<![a-z0-9])(?:${s.needsWith})`) : null,
  notInMessage: 'notInMessage' in s && s.notInMessage ? new RegExp(`(?<![a-z0-9])(?:${s.notInMessage})`) : null,
}));
const FIGURES = redFlags.figuresOfSpeech.map((p) => new RegExp(`(?<![a-z0-9])(?:${p})(?![a-z0-9])`, 'g'));
const NEGATORS = new Set(lexicon.negators);
const BREAKERS = new Set(lexicon.negationBreakers);
const HEDGES = lexicon.hedges.map((h) => ` ${h} `);
/** How many words back a negation reaches: "no numbness or tingling in my legs". */
const NEGATION_REACH = 5;
const PAIN_WORDS = /(?<![a-z])(?:pain|painful|hurt|hurts|hurting|sore|soreness|ache|aches|aching|achy|stiff|tight|throb\w*|spasm\w*|twinge|tweak\w*|injur\w*|sciatica|agony|bad|killing)(?![a-z])/;
/** A body part counts as talk of pain for a duration ("my back has been like this for a month"); plans do not. */
const BODY_TALK = /(?<![a-z])(?:back|spine|sciatica)(?![a-z])/;
const PLANS = /(?<![a-z])(?:pause|snooze|holiday|away|trip|travelling|traveling|weeks off|off for|break|resume|skip\w*|since (?:my )?last (?:leg day|session|workout|gym|time)|since i (?:last )?(?:trained|lifted|squatted|went))(?![a-z])/;
/** Pain this long is past home care (the brief: not easing after a few weeks). */
const PERSISTENT_DAYS = 14;
/** 9-10 out of 10. */
const SEVERE_SCORE = 9;

const NONE: Triage = { tier: 'none', signs: [], noticed: [] };

/** The text with its figures of speech cut out: each becomes a clause break, so nothing reads across it. */
export function literal(text: string): string {
  let out = ` ${text} `;
  for (const re of FIGURES) out = out.replace(re, ' , ');
  return out;
}

/**
 * The warning signs in one message. `entities` adds what a number says (a 9/10, "3 weeks");
 * `text` is literal(n.text), made once per reading (classify reads it too).
 */
export function triage(n: Normalised, entities: Pick<Entities, 'score' | 'durationDays'>, text: string): Triage {
  const found: Sign[] = [];
  for (const sign of SIGNS) {
    if (sign.needsWith && !sign.needsWith.test(text)) continue;
    if (sign.notInMessage && sign.notInMessage.test(n.text)) continue;
    for (const { re, inability } of sign.patterns) {
      re.lastIndex = 0;
      let m: RegExpExecArray | null;
      let hit = false;
      while ((m = re.exec(text)) !== null) {
        const clause = clauseAround(text, m.index, m.index + m[0].length);
        if (sign.notWith && sign.notWith.test(clause)) continue;
        if (!inability && negated(text, m.index, m[0])) continue;
        hit = true;
        break;
      }
      if (hit) {
        found.push(sign);
        break;
      }
    }
  }
  const painTalk = (PAIN_WORDS.test(text) || entities.score !== null || BODY_TALK.test(text)) && !PLANS.test(text);
  if (entities.durationDays !== null && entities.durationDays >= PERSISTENT_DAYS && painTalk && !found.some((s) => s.id === 'not-easing')) {
    found.push(SIGNS.find((s) => s.id === 'not-easing')!);
  }
  if (entities.score !== null && entities.score >= SEVERE_SCORE && !n.laughing && !found.some((s) => s.id === 'severe-pain')) {
    found.push(SIGNS.find((s) => s.id === 'severe-pain')!);
  }
  if (found.length === 0) return NONE;
  const tier: Tier = found.some((s) => s.tier === 'emergency') ? 'emergency' : 'soon';
  const top = found.filter((s) => s.tier === tier);
  return { tier, signs: top.map((s) => s.id), noticed: top.map((s) => s.noticed) };
}

/** The clause a match sits in: from the last break before it to the next break after it. */
function clauseAround(text: string, start: number, end: number): string {
  const from = text.lastIndexOf(' , ', start);
  const to = text.indexOf(' , ', end);
  return text.slice(from < 0 ? 0 : from, to < 0 ? text.length : to);
}

/**
 * A sign is ruled out by a negation shortly before it in the same clause ("no fever", "not
 * numb", "without any tingling"), or by a bare "no" right after it ("numbness? no"). Hedges that
 * look like negations ("not sure if it's numb", "no idea why") rule nothing out.
 */
function negated(text: string, index: number, match: string): boolean {
  const first = match.split(' ')[0]!;
  // The sign names its own negation ("can't feel", "not getting better"): nothing more to rule out.
  if (NEGATORS.has(first) || /^(?:cant|cannot|couldnt|unable|wont|never)$/.test(first)) return false;
  const before = text.slice(0, index);
  const clauseStart = before.lastIndexOf(' , ');
  const clause = ` ${before.slice(clauseStart < 0 ? 0 : clauseStart + 3).trim()} `;
  if (HEDGES.some((h) => clause.includes(h))) return false;
  const words = clause.trim().split(' ').filter(Boolean).slice(-NEGATION_REACH);
  const last = words.findLastIndex((w) => NEGATORS.has(w));
  // "no fever and also numb": a breaker after the negation ends its reach.
  if (last >= 0 && !words.slice(last + 1).some((w) => BREAKERS.has(w))) return true;
  const after = text.slice(index + match.length).trimStart();
  return /^(?:\? , )?(?:no|none|nope|nah|negative|not really|nothing)(?: , |\s*$)/.test(after);
}
