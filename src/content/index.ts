/**
 * The content a coach edits: every word sent (messages.json) and the recovery plan (plan.json).
 * Facts come from shared/recovery-facts.md; the wording is ours. Both files are checked here at
 * start-up, so a typo fails loudly instead of sending a broken text, and
 * tests/unit/messages.test.ts renders every template with the longest values and fails on a
 * non-GSM-7 character or a third SMS segment.
 */
import { z } from 'zod';
import messagesJson from './messages.json' with { type: 'json' };
import planJson from './plan.json' with { type: 'json' };

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'use HH:MM, 24-hour');

const planSchema = z.object({
  sendingHours: z.object({ start: hhmm, end: hhmm }),
  defaultLegDayGapDays: z.number().int().min(2).max(14),
  steps: z
    .array(
      z.object({
        id: z.string().min(1),
        /** leg-day: days after the check-in's local date; next-leg-day: days after the expected next one. */
        anchor: z.enum(['leg-day', 'next-leg-day']),
        day: z.number().int().min(-3).max(14),
        at: hhmm,
        /** Never earlier than this many hours after the check-in (heat waits out the 48 h ice window). */
        notBeforeHours: z.number().min(0).optional(),
        /**
         * Until when the step is still right (the earliest of these): a step that cannot go out
         * before then is not sent but marked expired. "training" is the local time of day the
         * leg day was logged, less trainingHoursBeforeCheckin (people text after training).
         */
        validUntil: z
          .array(
            z.union([
              z.object({ hoursAfterLegDay: z.number().positive() }).strict(),
              z.object({ anchor: z.enum(['leg-day', 'next-leg-day']), day: z.number().int().min(-3).max(15), at: z.union([hhmm, z.literal('training')]) }).strict(),
            ]),
          )
          .min(1),
      }),
    )
    .min(1),
  /** How long before logging "legs done" the training started: the warm-up text must come before it. */
  trainingHoursBeforeCheckin: z.number().min(0).max(12),
  /** A window is never shorter than this after the step's planned time (an early trainer still gets the warm-up). */
  minimumWindowMinutes: z.number().int().min(0).max(720),
  /** The morning pain check-in; it is only right on the day it is due, until `validUntil` local time. */
  painCheck: z.object({ at: hhmm, validUntil: hhmm }),
  /** Each person's scheduled texts move by a stable 0..spreadMinutes (by number) to flatten the peaks. */
  spreadMinutes: z.number().int().min(0).max(120),
});

const messagesSchema = z.object({
  sms: z.record(z.string(), z.string().min(1)),
  steps: z.record(z.string(), z.string().min(1)),
  disclosure: z.string().min(1),
  load: z.object({ generic: z.string(), caps: z.string(), deload: z.string() }),
  labels: z.record(z.string(), z.string()),
});

export type PlanStep = z.infer<typeof planSchema>['steps'][number];
export const PLAN = planSchema.parse(planJson);
const messages = messagesSchema.parse(messagesJson);
for (const step of [...PLAN.steps.map((s) => s.id), 'pain-check']) {
  if (!messages.steps[step] || !messages.labels[step]) throw new Error(`messages.json has no text or label for plan step "${step}"`);
}

/** Every fixed SMS text and template, by name. */
export const SMS = messagesJson.sms;
export type SmsName = keyof typeof SMS;
export const STEP_TEXT: Readonly<Record<string, string>> = messages.steps;
export const STEP_LABEL: Readonly<Record<string, string>> = messages.labels;
export const LOAD_TEXT = messages.load;
/** Who we are, how often we text, rates, HELP and STOP: added to the first reply a number ever gets. */
export const DISCLOSURE = messages.disclosure;

/** A step's short name for STATUS and schedules; numbered steps ("pain-check-2") share their base's. */
export function stepLabel(stepId: string): string {
  return STEP_LABEL[stepId] ?? STEP_LABEL[stepId.replace(/-\d+$/, '')] ?? stepId;
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
