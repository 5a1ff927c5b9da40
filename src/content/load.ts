/**
 * The load advice of the warm-up text before the next leg day, for both channels: one rule decides
 * which advice applies; each channel words it with its own three templates (messages.json and
 * email.json, `load`).
 */
import { render } from './index.ts';

export type LoadRule =
  /** After a break: the deload (its ranges, or null when no lifts were logged), never a 10% cap that contradicts it the same week. */
  | { kind: 'deload'; deload: string | null }
  /** This week's 10% caps ("squat 154kg"). */
  | { kind: 'caps'; caps: string }
  /** No lifts to cap: the 10% rule itself. */
  | { kind: 'generic' };

/** `deload` is set (even to null) only after a break; `caps` is null when no lifts were logged that week. */
export function loadRule(caps: string | null, deload?: string | null): LoadRule {
  if (deload !== undefined) return { kind: 'deload', deload };
  return caps ? { kind: 'caps', caps } : { kind: 'generic' };
}

/** One channel's three templates for the load advice (messages.json's and email.json's `load`). */
export interface LoadTemplates {
  generic: string;
  caps: string;
  deload: string;
}

/** One channel's words for the rule. */
export function loadLine(rule: LoadRule, templates: LoadTemplates): string {
  switch (rule.kind) {
    case 'deload':
      return render(templates.deload, { deload: rule.deload ? `: ${rule.deload}` : '' });
    case 'caps':
      return render(templates.caps, { caps: rule.caps });
    case 'generic':
      return templates.generic;
  }
}
