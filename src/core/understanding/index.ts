/**
 * The understanding layer: one reading of every inbound message, text or email. Normalise the
 * words, pull out what the text says (a score, when, how long), run triage, then classify the
 * intent. Pure: no clock, no I/O. Rules and word lists are data (lexicon.json, intents.json,
 * red-flags.json); README "What it understands" says why rules and not a trained model.
 */
import { extractEntities, readUntilWeekday, type Entities } from './entities.ts';
import { classify, mentionsPainWords, type Intent, type IntentContext } from './intents.ts';
import { normalise, type Normalised } from './normalise.ts';
import { triage, type Triage } from './triage.ts';

export type { Entities } from './entities.ts';
export type { Intent, IntentKind, QuestionTopic, SmallTalk } from './intents.ts';
export type { Tier, Triage } from './triage.ts';
export { carrierKeyword } from './intents.ts';

export interface Understanding {
  intent: Intent;
  entities: Entities;
  triage: Triage;
  /** The message as sent, for the record. */
  text: string;
  normalised: Normalised;
}

const NO_CONTEXT: IntentContext = { painCheckOpen: false };

/** Reads one message. `ctx` is what the conversation is waiting for (an open pain check). */
export function understand(text: string, ctx: IntentContext = NO_CONTEXT): Understanding {
  const normalised = normalise(text.slice(0, MAX_CHARS));
  const entities = extractEntities(normalised);
  const signs = triage(normalised, entities);
  return {
    intent: classify(normalised, entities, signs, ctx),
    entities,
    triage: signs,
    text,
    normalised,
  };
}

/** Longer than any text; an email body is cut to its own words before it gets here. */
const MAX_CHARS = 4000;

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
