import { PLAN, STEP_TEXT, LOAD_TEXT, render, type PlanStep } from '../content/index.ts';
import { stepEmail } from '../content/email.ts';
import { atLocalTime, localDaysBetween, nextSendingTime } from './local-time.ts';

const HOUR_MS = 3_600_000;

export type Channel = 'sms' | 'email';

/** A scheduled message, ready to store: `series` is the check-in (or pain track) it belongs to. */
export interface NewReminder {
  series: string;
  stepId: string;
  channel: Channel;
  dueAt: Date;
  /** The text's body; for email, the EmailContent as JSON (links are added when it is sent). */
  body: string;
  tz: string;
}

/** One reminder per channel: each step goes once on every channel the person has, never twice on one. */
function perChannel(channels: readonly Channel[], r: Omit<NewReminder, 'channel' | 'body'>, sms: string, email: () => object): NewReminder[] {
  return channels.map((channel) => ({ ...r, channel, body: channel === 'sms' ? sms : JSON.stringify(email()) }));
}

/**
 * Days between a person's leg days: the median of their recent gaps (breaks of two weeks or more
 * left out), or weekly until there are at least two gaps to go on.
 */
export function expectedGapDays(checkinsNewestFirst: readonly string[], zone: string): number {
  const days = checkinsNewestFirst.map((at) => new Date(at));
  const gaps: number[] = [];
  for (let i = 0; i + 1 < days.length; i++) {
    const gap = localDaysBetween(days[i + 1]!, days[i]!, zone);
    if (gap >= 1 && gap < 14) gaps.push(gap);
  }
  if (gaps.length < 2) return PLAN.defaultLegDayGapDays;
  gaps.sort((a, b) => a - b);
  const mid = Math.floor(gaps.length / 2);
  const median = gaps.length % 2 ? gaps[mid]! : (gaps[mid - 1]! + gaps[mid]!) / 2;
  return Math.min(14, Math.max(2, Math.round(median)));
}

function stepTime(step: PlanStep, checkinAt: Date, zone: string, gapDays: number, notBefore: Date): Date {
  const day = step.anchor === 'leg-day' ? step.day : gapDays + step.day;
  let t = atLocalTime(checkinAt, zone, day, step.at);
  if (step.notBeforeHours !== undefined) {
    const min = checkinAt.getTime() + step.notBeforeHours * HOUR_MS;
    if (t.getTime() < min) t = new Date(min);
  }
  if (t < notBefore) t = notBefore;
  return nextSendingTime(t, zone, PLAN.sendingHours);
}

/**
 * The follow-ups for a leg day, in the person's zone and sending hours. Steps that would land on
 * or after the next expected leg day's warm-up text are dropped: that day starts a new plan.
 * `notBefore` (now, when rescheduling) keeps a recomputed time from falling in the past.
 */
export function planReminders(input: {
  channels: readonly Channel[];
  checkinId: string;
  checkinAt: Date;
  zone: string;
  gapDays: number;
  /** The 10% caps text ("squat 154kg"), or null for the generic rule. */
  caps: string | null;
  /**
   * Set after a break: the warm-up text repeats the deload (the ranges, or null when no lifts
   * were logged) instead of a 10% cap that would contradict it the same week.
   */
  deload?: string | null;
  notBefore?: Date;
}): NewReminder[] {
  const notBefore = input.notBefore ?? input.checkinAt;
  const load =
    input.deload !== undefined
      ? render(LOAD_TEXT.deload, { deload: input.deload ? `: ${input.deload}` : '' })
      : input.caps
        ? render(LOAD_TEXT.caps, { caps: input.caps })
        : LOAD_TEXT.generic;
  const timed = PLAN.steps.map((step) => ({
    step,
    dueAt: stepTime(step, input.checkinAt, input.zone, input.gapDays, notBefore),
  }));
  const nextLegDay = timed.filter((t) => t.step.anchor === 'next-leg-day').map((t) => t.dueAt.getTime());
  const cutoff = nextLegDay.length ? Math.min(...nextLegDay) : Infinity;
  return timed
    .filter((t) => t.step.anchor === 'next-leg-day' || t.dueAt.getTime() < cutoff)
    .flatMap((t) =>
      perChannel(
        input.channels,
        { series: input.checkinId, stepId: t.step.id, dueAt: t.dueAt, tz: input.zone },
        render(STEP_TEXT[t.step.id]!, { load }),
        () => stepEmail(t.step.id, input.caps, input.deload),
      ),
    )
    .sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime());
}

/** "How is your back today?" the next local morning. */
export function painCheckReminder(trackId: string, n: number, now: Date, zone: string, channels: readonly Channel[]): NewReminder[] {
  const dueAt = nextSendingTime(atLocalTime(now, zone, 1, PLAN.painCheck.at), zone, PLAN.sendingHours);
  return perChannel(channels, { series: trackId, stepId: `pain-check-${n}`, dueAt, tz: zone }, STEP_TEXT['pain-check']!, () =>
    stepEmail('pain-check', null),
  );
}
