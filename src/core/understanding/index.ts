/**
 * The understanding layer: one reading of every inbound message, text or email. Normalise the
 * words, pull out what the text says (a score, when, how long), run triage, then classify the
 * intent. Pure: no clock, no I/O. Rules and word lists are data (lexicon.json, intents.json,
 * red-flags.json); README "What it understands" says why rules and not a trained model.
 */
import { extractEntities, readUntilWeekday, type Entities } from './entities.ts';
import { carrierKeyword, classify, mentionsPainWords, type CarrierKeyword, type Intent, type IntentContext, type Reading } from './intents.ts';
import { normalise, type Normalised } from './normalise.ts';
import { literal, triage, type Triage } from './triage.ts';

export type { Entities } from './entities.ts';
export type { CarrierKeyword, Intent, IntentContext, IntentKind, QuestionTopic, Reading, SmallTalk } from './intents.ts';
export type { Tier, Triage } from './triage.ts';

export interface Understanding {
  intent: Intent;
  entities: Entities;
  triage: Triage;
  /** The message as sent, for the record. */
  text: string;
  normalised: Normalised;
  /** STOP, START or HELP as carriers read them, when the text the intent came from is one (the whole text). */
  keyword: CarrierKeyword | null;
  /**
   * What inContext classifies again instead of reading again: the readings the intent was looked
   * for in, in order (a text: itself; an email: its candidate texts, as far as needed), and the
   * whole message's.
   */
  readings: { tried: readonly Reading[]; whole: Reading };
}

const NO_CONTEXT: IntentContext = { painCheckOpen: false };

/** Longer than any text; an email body is cut to its own words before it gets here. */
const MAX_CHARS = 4000;

/** One text read: everything but its intent, which depends on the conversation (inContext). */
function read(text: string): Reading {
  const normalised = normalise(text.slice(0, MAX_CHARS));
  const entities = extractEntities(normalised);
  const lit = literal(normalised.text);
  return { normalised, entities, literal: lit, triage: triage(normalised, entities, lit), keyword: carrierKeyword(normalised.raw) };
}

/** Reads one message. `ctx` is what the conversation is waiting for (an open pain check). */
export function understand(text: string, ctx: IntentContext = NO_CONTEXT): Understanding {
  const r = read(text);
  return withContext(compose(r, text, choose([r], NO_CONTEXT)), ctx);
}

/**
 * One message read as several texts (an email: core/inbound-email.ts says which): the intent is
 * the first of `intentFrom`'s that is not unknown, else `fallback`'s; triage, and a score or day
 * the chosen text does not give, come from `whole`. Each distinct text is read once, and only as
 * far as needed.
 */
export function understandParts(
  parts: { intentFrom: readonly string[]; fallback: string; whole: string; text: string },
  ctx: IntentContext = NO_CONTEXT,
): Understanding {
  const readings = new Map<string, Reading>();
  const readOnce = (text: string) => readings.get(text) ?? readings.set(text, read(text)).get(text)!;
  const whole = readOnce(parts.whole);
  function* candidates() {
    for (const text of parts.intentFrom) yield readOnce(text);
    yield readOnce(parts.fallback);
  }
  // Chosen without context: a context can turn an intent into a score (an unknown, soreness, a
  // question, small talk), never a known intent into an unknown (intents.ts), so inContext never
  // needs a text past the one chosen here.
  return withContext(compose(whole, parts.text, choose(candidates(), NO_CONTEXT)), ctx);
}

/**
 * The same message in the conversation's context (an open pain check, where a number is its
 * answer): only the intent is classified again, from the readings already made.
 */
export function inContext(u: Understanding, ctx: IntentContext): Understanding {
  const { tried, whole } = u.readings;
  // The first reading's texts are kept: this one may have stopped sooner.
  return compose(whole, u.text, { ...choose(tried, ctx), tried });
}

const withContext = (u: Understanding, ctx: IntentContext) => (ctx === NO_CONTEXT ? u : inContext(u, ctx));

interface Choice {
  /** The readings looked at, in order, up to the chosen one. */
  tried: readonly Reading[];
  reading: Reading;
  intent: Intent;
}

/** The first reading whose intent is known, else the last one. */
function choose(readings: Iterable<Reading>, ctx: IntentContext): Choice {
  const tried: Reading[] = [];
  let chosen: Choice | null = null;
  for (const reading of readings) {
    tried.push(reading);
    chosen = { tried, reading, intent: classify(reading, ctx) };
    if (chosen.intent.kind !== 'unknown') break;
  }
  if (!chosen) throw new Error('nothing to read');
  return chosen;
}

/** The understanding of a message whose intent came from `chosen.reading`. */
function compose(whole: Reading, text: string, chosen: Choice): Understanding {
  const { tried, reading, intent } = chosen;
  const entities =
    reading === whole
      ? whole.entities
      : // Numbers and dates anywhere in the message count; the first line may only say "legs done".
        { ...whole.entities, score: reading.entities.score ?? whole.entities.score, daysAgo: reading.entities.daysAgo ?? whole.entities.daysAgo };
  return { intent, entities, triage: whole.triage, text, normalised: reading.normalised, keyword: reading.keyword, readings: { tried, whole } };
}

/** The same reading with a known intent (Twilio's Advanced Opt-Out has already read the keyword). */
export function withIntent(u: Understanding, intent: Intent): Understanding {
  return { ...u, intent };
}

/** Days until `weekday`, for "pause till monday". */
export function pauseUntilWeekday(u: Understanding, todayWeekday: number): number | null {
  return readUntilWeekday(u.normalised, todayWeekday);
}

/** The message talks about pain or soreness ("legs done, back sore"), whatever its intent. */
export function mentionsPain(u: Understanding): boolean {
  return mentionsPainWords(u.normalised) || u.intent.kind === 'soreness';
}
