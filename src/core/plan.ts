import { PLAN, type PlanStep } from '../content/index.ts';
import { loadRule, type LoadRule } from '../content/load.ts';
import { takesLoad } from './channel.ts';
import { atLocalTime, localClock, localDaysBetween, nextSendingTime } from './local-time.ts';

const HOUR_MS = 3_600_000;

export type Channel = 'sms' | 'email';

/** What a step's words need that only the plan knows: the load advice (content/load.ts), on a step whose words take it. */
export interface StepVars {
  load?: LoadRule;
}

/** A step as planned: what it is to say, unworded; each channel words it (core/channel.ts). */
export interface PlannedStep {
  stepId: string;
  vars: StepVars;
}

/**
 * A scheduled message, ready to store: its step, unworded (the channel words it when it is sent,
 * so a fix to the wording reaches messages already planned), on one channel; `series` is the
 * check-in (or pain track) it belongs to.
 */
export interface NewReminder extends PlannedStep {
  channel: Channel;
  series: string;
  dueAt: Date;
  tz: string;
  /** The step is only right before this instant: it is sent before then or not at all (expired). */
  validUntil: Date;
}

/**
 * Where a step may go, given the earliest it could: the next moment inside sending hours, or null
 * when that is not before the end of its window (the step has expired). Deferrals for quiet hours,
 * bursts and retries all go through here, so nothing moves a step out of its window.
 */
export function placeInWindow(earliest: Date, validUntil: Date, zone: string): Date | null {
  const t = nextSendingTime(earliest, zone, PLAN.sendingHours);
  return t.getTime() < validUntil.getTime() ? t : null;
}

/** A stable 0..spreadMinutes offset for a person (FNV-1a over their number or address). */
export function spreadOffsetMs(key: string, spreadMinutes: number = PLAN.spreadMinutes): number {
  if (spreadMinutes <= 0) return 0;
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193) >>> 0;
  return (h % (spreadMinutes + 1)) * 60_000;
}

/** One reminder per channel: each step goes once on every channel the person has, never twice on one. */
function perChannel(channels: readonly Channel[], r: Omit<NewReminder, 'channel'>): NewReminder[] {
  return channels.map((channel) => ({ ...r, channel }));
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

/**
 * `planned` moved by a person's spread offset, where that is still a sending time and inside the
 * window; otherwise `planned` itself. A 19:45 step stays at 19:45 rather than going the next
 * morning, and a step deferred to 08:00 (quiet hours, a reschedule) is spread like the rest.
 */
function spreadWithin(planned: Date, spreadMs: number, validUntil: Date, zone: string): Date {
  if (spreadMs <= 0) return planned;
  const t = new Date(planned.getTime() + spreadMs);
  const sendable = nextSendingTime(t, zone, PLAN.sendingHours).getTime() === t.getTime();
  return sendable && t < validUntil ? t : planned;
}

/**
 * When a step moved to another day goes (a skipped leg day's warm-up text): its time of day from
 * the plan, `days` after `now`, spread like the rest of the person's plan. Its window moves with it
 * (respond.ts), so there is no end to keep it inside here.
 */
export function movedStepTime(stepId: string, now: Date, zone: string, days: number, spreadKey: string): Date {
  const at = PLAN.steps.find((s) => s.id === stepId)?.at ?? PLAN.sendingHours.start;
  const planned = nextSendingTime(atLocalTime(now, zone, days, at), zone, PLAN.sendingHours);
  return spreadWithin(planned, spreadOffsetMs(spreadKey), NO_END, zone);
}

const NO_END = new Date(8.64e15);

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
 * The end of a step's window: the earliest of its limits (plan.json), never less than
 * `minimumWindowMinutes` after the step's planned time, so every planned step can go.
 */
export function stepValidUntil(step: PlanStep, checkinAt: Date, zone: string, gapDays: number, plannedAt: Date): Date {
  const ends = step.validUntil.map((limit) => {
    if ('hoursAfterLegDay' in limit) return checkinAt.getTime() + limit.hoursAfterLegDay * HOUR_MS;
    const day = limit.anchor === 'leg-day' ? limit.day : gapDays + limit.day;
    if (limit.at !== 'training') return atLocalTime(checkinAt, zone, day, limit.at).getTime();
    // Training started a little before "legs done" was texted; the next one likely starts at the same time of day.
    return atLocalTime(checkinAt, zone, day, localClock(checkinAt, zone)).getTime() - PLAN.trainingHoursBeforeCheckin * HOUR_MS;
  });
  return new Date(Math.max(Math.min(...ends), plannedAt.getTime() + PLAN.minimumWindowMinutes * 60_000));
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
  /** Who it is for (their number, else their address): the stable spread offset is derived from it. */
  spreadKey?: string;
  /** Overrides plan.json's spreadMinutes (the capacity benchmark compares both). */
  spreadMinutes?: number;
}): NewReminder[] {
  const notBefore = input.notBefore ?? input.checkinAt;
  const rule = loadRule(input.caps, input.deload);
  const spreadMs = input.spreadKey ? spreadOffsetMs(input.spreadKey, input.spreadMinutes) : 0;
  const timed = PLAN.steps.map((step) => {
    // The window is the plan's, from the unspread, un-deferred time: spreading or rescheduling never widens it.
    const planned = stepTime(step, input.checkinAt, input.zone, input.gapDays, input.checkinAt);
    const validUntil = stepValidUntil(step, input.checkinAt, input.zone, input.gapDays, planned);
    const dueAt = spreadWithin(stepTime(step, input.checkinAt, input.zone, input.gapDays, notBefore), spreadMs, validUntil, input.zone);
    return { step, dueAt, validUntil };
  });
  const nextLegDay = timed.filter((t) => t.step.anchor === 'next-leg-day').map((t) => t.dueAt.getTime());
  const cutoff = nextLegDay.length ? Math.min(...nextLegDay) : Infinity;
  return timed
    .filter((t) => t.step.anchor === 'next-leg-day' || t.dueAt.getTime() < cutoff)
    .flatMap((t) =>
      perChannel(
        input.channels,
        // The load rule is decided here, once per plan, and kept only where the words take it.
        { series: input.checkinId, stepId: t.step.id, vars: takesLoad(t.step.id) ? { load: rule } : {}, dueAt: t.dueAt, tz: input.zone, validUntil: t.validUntil },
      ),
    )
    .sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime());
}

/**
 * "How is your back today?" the next local morning. It goes at 09:00 like the morning follow-ups,
 * so it is spread by the same per-person offset (`spreadKey`, as in planReminders; none without it).
 */
export function painCheckReminder(
  trackId: string,
  n: number,
  now: Date,
  zone: string,
  channels: readonly Channel[],
  spreadKey?: string,
  spreadMinutes?: number,
): NewReminder[] {
  const planned = nextSendingTime(atLocalTime(now, zone, 1, PLAN.painCheck.at), zone, PLAN.sendingHours);
  // "How is your back today?" is only right on the day it asks about; the window is the unspread time's.
  const validUntil = new Date(Math.max(atLocalTime(planned, zone, 0, PLAN.painCheck.validUntil).getTime(), planned.getTime() + PLAN.minimumWindowMinutes * 60_000));
  const dueAt = spreadWithin(planned, spreadKey ? spreadOffsetMs(spreadKey, spreadMinutes) : 0, validUntil, zone);
  return perChannel(channels, { series: trackId, stepId: `pain-check-${n}`, vars: {}, dueAt, tz: zone, validUntil });
}
