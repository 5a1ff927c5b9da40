/**
 * Folds how people write into one spelling: case, curly quotes, emoji, shorthand, misspellings,
 * stretched letters ("soooore") and run-together words ("legsdone"). Pure. Everything after this
 * (intents, entities, triage) reads the tokens it returns. The words themselves are data in
 * lexicon.json, reviewed like the message wording.
 */
import lexicon from './lexicon.json' with { type: 'json' };

export interface Normalised {
  /** The text as sent. */
  raw: string;
  /** Lower-case words; "," marks a clause break (a full stop, a comma, "but"), "?" a question mark. */
  tokens: string[];
  /** The tokens joined by single spaces: what the patterns match against. */
  text: string;
  /** "lol", "haha", 😂, 💀: the person is joking, which changes how "can't walk" reads. */
  laughing: boolean;
  /** A question mark anywhere. */
  asked: boolean;
}

const EMOJI = Object.entries(lexicon.emoji as Record<string, string>).sort((a, b) => b[0].length - a[0].length);
const PHRASES = lexicon.phrases as Record<string, string>;
const SPELLINGS = lexicon.spellings as Record<string, string>;
const MULTI_WORD = Object.entries(PHRASES)
  .filter(([k]) => k.includes(' '))
  .map(([k, v]) => [new RegExp(`(?<![a-z0-9])${escape(k)}(?![a-z0-9])`, 'g'), v] as const);
const FUZZY = lexicon.fuzzyTargets;
const JOINABLE = new Set(lexicon.joinable);
const LAUGHTER = new Set(lexicon.laughter);
const MAX_FIXABLE = 30;
const MAX_WORD = 40;

/** Every word the layer knows: these are never "corrected". */
const KNOWN = new Set<string>([
  ...Object.values(PHRASES).flatMap((v) => v.split(' ')),
  ...Object.values(SPELLINGS).flatMap((v) => v.split(' ')),
  ...FUZZY,
  ...JOINABLE,
  ...lexicon.negators,
  ...lexicon.keepAsIs,
]);

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

export function normalise(raw: string): Normalised {
  let s = raw.normalize('NFKC').toLowerCase();
  for (const [emoji, words] of EMOJI) s = s.split(emoji).join(words);
  s = s
    .replace(/[\u200b-\u200d\u2060\ufeff\ufe0f]/g, '')
    // Any pictograph not in the lexicon says nothing we can read.
    .replace(/\p{Extended_Pictographic}/gu, ' ')
    .replace(/[’‘`´]/g, "'")
    .replace(/'/g, '')
    .replace(/&/g, ' and ')
    .replace(/\bw\/o\b/g, ' without ')
    .replace(/\bw\//g, ' with ')
    // Clause breaks: sentence ends, commas, dashes and line breaks (a decimal point is not one).
    .replace(/(?<!\d)\.|\.(?!\d)|[;!\n\r]+|,|\s[-–—]+\s|[()]/g, ' , ')
    .replace(/\?+/g, ' ? , ')
    .replace(/[^\p{L}\p{N}\s,?/.%+]/gu, ' ');
  for (const [re, to] of MULTI_WORD) s = s.replace(re, to);

  const tokens: string[] = [];
  for (const word of s.split(/\s+/)) {
    // No word is this long: it is noise, and every pattern would pay for it.
    if (!word || word.length > MAX_WORD) continue;
    for (const t of fix(word)) if (t) tokens.push(t);
  }
  // Contrast words end a negation's reach: "no fever but numb" rules out only the fever.
  const withBreaks = tokens.flatMap((t) => (t === 'but' || t === 'though' || t === 'although' || t === 'however' ? [',', t] : [t]));
  const clean = collapseBreaks(withBreaks);
  return {
    raw,
    tokens: clean,
    text: clean.join(' '),
    laughing: clean.some((t) => LAUGHTER.has(t)),
    asked: clean.includes('?'),
  };
}

function collapseBreaks(tokens: string[]): string[] {
  const out: string[] = [];
  for (const t of tokens) {
    if (t === ',' && (out.length === 0 || out[out.length - 1] === ',')) continue;
    out.push(t);
  }
  while (out[out.length - 1] === ',') out.pop();
  return out;
}

/** One written word to the words it means. */
function fix(word: string): string[] {
  if (word === ',' || word === '?') return [word];
  const direct = lookup(word);
  if (direct) return direct;
  // Past this length a "word" is noise (or an attack): nothing to fix, and fixing costs the square of it.
  if (!/^\p{L}+$/u.test(word) || word.length > MAX_FIXABLE) return [word];
  // "soooore", "legsss": a letter typed three or more times is stretched, not spelt ("too" stays).
  if (/(\p{L})\1{2,}/u.test(word)) {
    for (const w of [word.replace(/(\p{L})\1{2,}/gu, '$1$1'), word.replace(/(\p{L})\1+/gu, '$1')]) {
      const hit = lookup(w);
      if (hit) return hit;
    }
  }
  const parts = splitJoined(word, 3);
  if (parts) return parts.flatMap((p) => lookup(p) ?? [p]);
  const near = nearest(word);
  if (near) return [near];
  return [word];
}

function lookup(word: string): string[] | null {
  if (word in PHRASES) return PHRASES[word]!.split(' ');
  if (word in SPELLINGS) return SPELLINGS[word]!.split(' ');
  if (KNOWN.has(word)) return [word];
  return null;
}

/** "legsdone" → ["legs", "done"]: up to `depth` words people run together. */
function splitJoined(word: string, depth: number): string[] | null {
  if (depth === 0 || word.length < 5) return null;
  for (let i = word.length - 2; i >= 3; i--) {
    const head = word.slice(0, i);
    if (!JOINABLE.has(head) && !(head in SPELLINGS)) continue;
    const tail = word.slice(i);
    if (JOINABLE.has(tail) || tail in SPELLINGS || (tail.length >= 4 && FUZZY.includes(tail))) return [head, tail];
    const rest = splitJoined(tail, depth - 1);
    if (rest) return [head, ...rest];
  }
  return null;
}

/** A word the lexicon cares about, one typo away (two for long words), or null. */
function nearest(word: string): string | null {
  if (word.length < 6) return null;
  const allowed = word.length >= 9 ? 2 : 1;
  let best: string | null = null;
  let bestDistance = allowed + 1;
  for (const target of FUZZY) {
    if (Math.abs(target.length - word.length) > allowed) continue;
    const d = editDistance(word, target, allowed);
    if (d < bestDistance) {
      best = target;
      bestDistance = d;
    }
  }
  return best;
}

/**
 * Optimal string alignment distance over the typos thumbs make most (a letter left out, one
 * too many, two neighbours swapped), giving up past `max`. A changed letter counts double: it
 * turns one real word into another far more often than it makes a typo.
 */
export function editDistance(a: string, b: string, max: number): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    rows.push([i]);
    for (let j = 1; j <= b.length; j++) rows[i]![j] = i === 0 ? j : 0;
  }
  for (let i = 1; i <= a.length; i++) {
    let rowMin = Infinity;
    for (let j = 1; j <= b.length; j++) {
      // A changed letter costs two: "slipped" is not a typo of "skipped", nor "pissed" of "missed".
      const cost = a[i - 1] === b[j - 1] ? 0 : 2;
      let v = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = v;
      rowMin = Math.min(rowMin, v);
    }
    if (rowMin > max) return max + 1;
  }
  return rows[a.length]![b.length]!;
}
