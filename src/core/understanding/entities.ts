/**
 * What a text says besides its intent: a 0-10 pain score, when the session was, how long
 * something has lasted, how long to pause, which body parts. Pure; reads normalised tokens.
 */
import type { Normalised } from './normalise.ts';

export interface Entities {
  /** 0-10 when given ("pain 7", "6/10", "like a 7", "8 out of ten"). */
  score: number | null;
  /** How many days ago the session was: 0 today, 1 yesterday or last night, null when not said. */
  daysAgo: number | null;
  /** A duration in days ("for a week", "2 weeks", "a month"), the longest one mentioned. */
  durationDays: number | null;
}

const WORD_NUMBERS: Record<string, number> = {
  zero: 0, nil: 0, one: 1, a: 1, an: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10,
  couple: 2, few: 3, several: 4,
};
const SCORE_WORDS: Record<string, number> = {
  zero: 0, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10,
};
const UNIT_DAYS: Record<string, number> = {
  day: 1, days: 1, night: 1, nights: 1, week: 7, weeks: 7, fortnight: 14, fortnights: 14, month: 30, months: 30,
};
const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const SHORT_WEEKDAYS: Record<string, number> = { sun: 0, sat: 6 };

/** Units that make a number a weight, a count or a time rather than a pain score. */
const NOT_A_SCORE = /^(?:kg|kgs|kilo|kilos|lb|lbs|pound|pounds|x|reps?|sets?|%|h|hrs?|hours?|days?|d|minutes?|mins?|secs?|seconds?|weeks?|months?|am|pm|oclock|k|km|miles?|plates?|times|rounds|sessions|st|stone)$/;

export function extractEntities(n: Normalised): Entities {
  return {
    score: readScore(n),
    daysAgo: readDaysAgo(n.text),
    durationDays: readDuration(n.tokens),
  };
}

/** "till monday" → days from `todayWeekday` (0 = Sunday) to that weekday, 1-7. */
export function readUntilWeekday(n: Normalised, todayWeekday: number): number | null {
  const m = /\b(?:until|till|til|untill|to|through|thru|before|on|next) (?:next )?(monday|tuesday|wednesday|thursday|friday|saturday|sunday|sat|sun)\b/.exec(n.text);
  if (!m) return null;
  const day = WEEKDAYS.indexOf(m[1]!) >= 0 ? WEEKDAYS.indexOf(m[1]!) : SHORT_WEEKDAYS[m[1]!]!;
  const ahead = (day - todayWeekday + 7) % 7;
  return ahead === 0 ? 7 : ahead;
}

/** A 0-10 pain score, or null. Numbers with units (140kg, 3x5, 2 weeks, 9am) are not scores. */
export function readScore(n: Normalised): number | null {
  const t = n.text;
  const outOf = /(?<![\d.])(\d{1,2}|zero|one|two|three|four|five|six|seven|eight|nine|ten)(?:\.\d)? ?(?:\/|out of|outta|of|on) ?(?:10|ten)\b/.exec(t);
  if (outOf) return clamp(toNumber(outOf[1]!));
  const tokens = n.tokens;
  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i]!;
    const m = /^(\d{1,2})(ish)?$/.exec(tok);
    const next = tokens[i + 1] ?? '';
    const prev = tokens[i - 1] ?? '';
    if (m) {
      if (NOT_A_SCORE.test(next) || /^\d/.test(next) || prev === 'x' || /^(?:at|by|since|around|about|til|till|until|before|after|for|in|last|past|every)$/.test(prev) && /^(?:am|pm|oclock|days?|weeks?|hours?|h)$/.test(tokens[i + 2] ?? '')) continue;
      // "9am", "48h": the unit is glued on, so these never reach here; "at 9" is a time.
      if (/^(?:at|til|till|until|in|for|by|after|before|every|last|past|around)$/.test(prev) && !/^(?:pain|its|a|like)$/.test(tokens[i - 2] ?? '')) continue;
      const v = clamp(Number(m[1]));
      if (v !== null) return v;
      continue;
    }
    // "like a seven", "about a six", "solid eight": a word number only counts with a hint it is a rating.
    if (tok in SCORE_WORDS && (tokens.length <= 2 || /^(?:a|like|about|around|maybe|solid|prob|probably|pain|its|at|is|was)$/.test(prev))) {
      if (UNIT_DAYS[next] !== undefined || NOT_A_SCORE.test(next)) continue;
      if (tok === 'one' && tokens.length > 2) continue;
      return SCORE_WORDS[tok]!;
    }
  }
  return null;
}

function toNumber(s: string): number {
  return /^\d+$/.test(s) ? Number(s) : SCORE_WORDS[s]!;
}

function clamp(n: number): number | null {
  return Number.isInteger(n) && n >= 0 && n <= 10 ? n : null;
}

function readDaysAgo(t: string): number | null {
  if (/\b(?:day before yesterday|2 days ago|two days ago)\b/.test(t)) return 2;
  if (/\b(?:yesterday|last night|last evening|yesterday evening|late last night)\b/.test(t)) return 1;
  if (/\b(?:today|this morning|tonight|this evening|this arvo|this afternoon|just now|earlier)\b/.test(t)) return 0;
  return null;
}

/** The longest duration mentioned, in days ("for a week" 7, "2 weeks" 14, "for weeks" 14, "a month" 30). */
function readDuration(tokens: readonly string[]): number | null {
  let best: number | null = null;
  const keep = (d: number) => {
    if (best === null || d > best) best = d;
  };
  for (let i = 0; i < tokens.length; i++) {
    const unit = UNIT_DAYS[tokens[i]!];
    if (unit === undefined) continue;
    const prev = tokens[i - 1] ?? '';
    const prev2 = tokens[i - 2] ?? '';
    let count: number | null = null;
    if (/^\d{1,3}$/.test(prev)) count = Number(prev);
    else if (prev in WORD_NUMBERS) count = WORD_NUMBERS[prev]!;
    else if (/^\d{1,3}$/.test(prev2) && /^(?:and a half|more|or so)$/.test(prev)) count = Number(prev2);
    else if ((prev === 'few' || prev === 'couple') && (prev2 === 'a' || prev2 === 'the')) count = WORD_NUMBERS[prev]!;
    else if (/s$/.test(tokens[i]!) && /^(?:for|in|over|since|weeks|months|past|last|now|about)$/.test(prev)) count = 2;
    if (count !== null && count > 0 && count < 400) keep(count * unit);
  }
  if (tokens.includes('fortnight')) keep(14);
  // "since october", "since before christmas": long enough that the exact days do not matter.
  const text = tokens.join(' ');
  if (/\bsince (?:before |early |late |mid )?(?:january|february|march|april|may|june|july|august|september|october|november|december|christmas|xmas|summer|spring|autumn|fall|winter|new year|easter|last month|last year|the summer|the new year)\b/.test(text)) keep(30);
  if (/\bsince last week\b/.test(text)) keep(7);
  return best;
}
