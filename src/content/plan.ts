import type { StepId } from './messages.ts';

/**
 * The recovery timeline as data: which text goes out how long after the leg-day check-in.
 * Follows the brief's timeline: ice inside 48 h, heat after it, mobility on days 2-4, and warm-up,
 * bracing and the 10% rule before the next (weekly, by default) leg day.
 */
export interface PlanStep {
  id: StepId;
  /** Hours after the check-in. */
  afterHours: number;
}

export const RECOVERY_PLAN: readonly PlanStep[] = [
  { id: 'ice-1', afterHours: 14 },
  { id: 'ice-2', afterHours: 38 },
  { id: 'heat', afterHours: 50 },
  { id: 'mobility-1', afterHours: 62 },
  { id: 'mobility-2', afterHours: 86 },
  { id: 'pre-leg-day', afterHours: 158 },
];

/** Until this many hours after leg day, a sore spot gets ice; after it, heat. */
export const ICE_WINDOW_HOURS = 48;
