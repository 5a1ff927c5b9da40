/**
 * Which reminder an email is, as an SES message tag: set on the email when it is sent, and handed
 * back by SES in its events about that email. Tag values allow only letters, digits, _ and -, so
 * the reminder is base64url JSON.
 */

export const REMINDER_TAG = 'legday-reminder';

export interface TaggedReminder {
  userId: string;
  series: string;
  stepId: string;
}

export const encodeReminderTag = (ref: TaggedReminder): string =>
  Buffer.from(JSON.stringify({ u: ref.userId, s: ref.series, k: ref.stepId })).toString('base64url');

/** The reminder a tag value names, or null for anything that is not one of ours. */
export function decodeReminderTag(value: string): TaggedReminder | null {
  let ref: { u?: unknown; s?: unknown; k?: unknown };
  try {
    ref = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as typeof ref;
  } catch {
    return null;
  }
  if (typeof ref?.u !== 'string' || typeof ref.s !== 'string' || typeof ref.k !== 'string' || !ref.u || !ref.s || !ref.k) return null;
  return { userId: ref.u, series: ref.s, stepId: ref.k };
}
