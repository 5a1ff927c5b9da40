import { emailReply, type EmailContent } from '../content/email.ts';
import { stepLabel } from '../content/index.ts';
import { formatWhen } from './local-time.ts';
import type { Decision, UserState } from './respond.ts';

/**
 * A decision's reply worded as an email. An email has room for what a text leaves out: a new
 * plan's reply lists when each follow-up will arrive, in the person's own time.
 */
export function replyEmail(decision: Decision, user: UserState): EmailContent | null {
  if (!decision.said) return null;
  const planned = decision.reminders.filter((r) => r.channel === 'email');
  const schedule = planned.map((r) => `${formatWhen(r.dueAt, user.timezone)}: ${stepLabel(r.stepId)}`);
  return emailReply(decision.said, schedule.length ? { schedule } : {});
}
