/**
 * The content a coach edits: every word sent (messages.json) and the recovery plan (plan.json).
 * Facts come from shared/recovery-facts.md; the wording is ours. Both files are checked here at
 * start-up, so a typo fails loudly instead of sending a broken text, and
 * tests/unit/messages.test.ts renders every template with the longest values and fails on a
 * non-GSM-7 character or a third SMS segment.
 */
import * as v from 'valibot';
import messagesJson from './messages.json' with { type: 'json' };
import planJson from './plan.json' with { type: 'json' };

const hhmm = v.pipe(v.string(), v.regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'use HH:MM, 24-hour'));
const int = (min: number, max: number) => v.pipe(v.number(), v.integer(), v.minValue(min), v.maxValue(max));
const text = v.pipe(v.string(), v.minLength(1));
const anchor = v.picklist(['leg-day', 'next-leg-day']);

const planSchema = v.object({
  sendingHours: v.object({ start: hhmm, end: hhmm }),
  defaultLegDayGapDays: int(2, 14),
  steps: v.pipe(
    v.array(
      v.object({
        id: text,
        /** leg-day: days after the check-in's local date; next-leg-day: days after the expected next one. */
        anchor,
        day: int(-3, 14),
        at: hhmm,
        /** Never earlier than this many hours after the check-in (heat waits out the 48 h ice window). */
        notBeforeHours: v.optional(v.pipe(v.number(), v.minValue(0))),
        /**
         * Until when the step is still right (the earliest of these): a step that cannot go out
         * before then is not sent but marked expired. "training" is the local time of day the
         * leg day was logged, less trainingHoursBeforeCheckin (people text after training).
         */
        validUntil: v.pipe(
          v.array(
            v.union([
              v.strictObject({ hoursAfterLegDay: v.pipe(v.number(), v.gtValue(0)) }),
              v.strictObject({ anchor, day: int(-3, 15), at: v.union([hhmm, v.literal('training')]) }),
            ]),
          ),
          v.minLength(1),
        ),
      }),
    ),
    v.minLength(1),
  ),
  /** How long before logging "legs done" the training started: the warm-up text must come before it. */
  trainingHoursBeforeCheckin: v.pipe(v.number(), v.minValue(0), v.maxValue(12)),
  /** A window is never shorter than this after the step's planned time (an early trainer still gets the warm-up). */
  minimumWindowMinutes: int(0, 720),
  /** The morning pain check-in; it is only right on the day it is due, until `validUntil` local time. */
  painCheck: v.object({ at: hhmm, validUntil: hhmm }),
  /** Each person's scheduled texts move by a stable 0..spreadMinutes (by number) to flatten the peaks. */
  spreadMinutes: int(0, 120),
});

const messagesSchema = v.object({
  sms: v.record(v.string(), text),
  steps: v.record(v.string(), text),
  disclosure: text,
  load: v.object({ generic: v.string(), caps: v.string(), deload: v.string() }),
  labels: v.record(v.string(), v.string()),
});

export type PlanStep = v.InferOutput<typeof planSchema>['steps'][number];
export const PLAN = v.parse(planSchema, planJson);
const messages = v.parse(messagesSchema, messagesJson);
for (const step of [...PLAN.steps.map((s) => s.id), 'pain-check']) {
  if (!messages.steps[step] || !messages.labels[step]) throw new Error(`messages.json has no text or label for plan step "${step}"`);
  // A placeholder typo fails here, at start-up, rather than when the step falls due.
  render(messages.steps[step], { load: messages.load.generic });
}

/** Every fixed SMS text and template, by name. */
export const SMS = messagesJson.sms;
export type SmsName = keyof typeof SMS;
export const STEP_TEXT: Readonly<Record<string, string>> = messages.steps;
export const STEP_LABEL: Readonly<Record<string, string>> = messages.labels;
export const LOAD_TEXT = messages.load;
/** Who we are, how often we text, rates, HELP and STOP: added to the first reply a number ever gets. */
export const DISCLOSURE = messages.disclosure;

/** A step's entry in a table of templates or labels: a numbered step ("pain-check-2", "pre-leg-day-2") shares its base's. */
export function stepEntry<T>(table: Readonly<Record<string, T>>, stepId: string): T | undefined {
  return table[stepId] ?? table[stepId.replace(/-\d+$/, '')];
}

/** A step the wording has no words for (taken out since it was planned): no retry will find them. */
export class UnknownStepError extends Error {
  constructor(stepId: string, where: string) {
    super(`${where} has no words for step "${stepId}"`);
    this.name = 'UnknownStepError';
  }
}

/** A step's short name for STATUS and schedules. */
export function stepLabel(stepId: string): string {
  return stepEntry(STEP_LABEL, stepId) ?? stepId;
}

/** Until this many hours after leg day, a sore spot gets ice; after it, heat. */
export const ICE_WINDOW_HOURS = 48;

/** Fills {name} placeholders; a missing value is a bug, so it throws rather than sending "{name}". */
export function render(template: string, values: Record<string, string | number> = {}): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => {
    if (!(name in values)) throw new Error(`no value for {${name}} in "${template.slice(0, 40)}..."`);
    return String(values[name]);
  });
}
