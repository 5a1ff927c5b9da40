import { ICE_WINDOW_HOURS, type PlanStep } from '../content/plan.ts';
import type { StepId } from '../content/messages.ts';

const HOUR_MS = 3_600_000;

export interface ScheduledStep {
  stepId: StepId;
  dueAt: Date;
}

/** When each step of the plan falls due for a leg day checked in at `checkinAt`. */
export function scheduleSteps(checkinAt: Date, plan: readonly PlanStep[]): ScheduledStep[] {
  return plan.map((step) => ({ stepId: step.id, dueAt: new Date(checkinAt.getTime() + step.afterHours * HOUR_MS) }));
}

/** Hours from `from` to `to`; negative when `to` is earlier. */
export function hoursBetween(from: Date, to: Date): number {
  return (to.getTime() - from.getTime()) / HOUR_MS;
}

/** Ice while the leg day is fresh, heat once the ice window has passed. */
export function recoveryPhase(checkinAt: Date, now: Date): 'ice' | 'heat' {
  return hoursBetween(checkinAt, now) < ICE_WINDOW_HOURS ? 'ice' : 'heat';
}
