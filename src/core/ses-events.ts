import { normalizeEmail } from './inbound-email.ts';
import { REMINDER_TAG, decodeReminderTag, type TaggedReminder } from './reminder-tag.ts';

export interface EmailEventChange {
  address: string;
  to: 'bounced' | 'complained';
  detail: string;
}

/**
 * What an SES event means for our addresses. A permanent (hard) bounce and any complaint stop all
 * email to the address; a transient bounce (mailbox full, greylisting) changes nothing, since SES
 * has already retried it. Accepts both configuration-set events (`eventType`) and identity
 * notifications (`notificationType`).
 */
export function emailEventChanges(event: unknown): EmailEventChange[] {
  if (!event || typeof event !== 'object') return [];
  const e = event as {
    eventType?: string;
    notificationType?: string;
    bounce?: { bounceType?: string; bounceSubType?: string; bouncedRecipients?: { emailAddress?: string; diagnosticCode?: string }[] };
    complaint?: { complaintFeedbackType?: string; complainedRecipients?: { emailAddress?: string }[] };
  };
  const type = e.eventType ?? e.notificationType;
  const addresses = (list: { emailAddress?: string }[] | undefined) =>
    (list ?? []).map((r) => normalizeEmail(String(r.emailAddress ?? '').replace(/^.*<([^>]+)>.*$/, '$1'))).filter((a): a is string => a !== null);
  if (type === 'Bounce' && e.bounce?.bounceType === 'Permanent') {
    const detail = `SES hard bounce (${e.bounce.bounceSubType ?? 'General'})`;
    return addresses(e.bounce.bouncedRecipients).map((address) => ({ address, to: 'bounced', detail }));
  }
  if (type === 'Complaint') {
    const detail = `SES complaint (${e.complaint?.complaintFeedbackType ?? 'not given'})`;
    return addresses(e.complaint?.complainedRecipients).map((address) => ({ address, to: 'complained', detail }));
  }
  return [];
}

/** What an SES event says about one email we sent as a reminder: stored on it like a Twilio delivery report. */
export interface EmailMessageEvent {
  ref: TaggedReminder;
  messageId: string;
  status: 'delivered' | 'bounced' | 'complained';
  detail: string | null;
}

/**
 * The message-level meaning of an SES event (Delivery, a permanent Bounce, a Complaint) for an
 * email tagged with its reminder when sent (core/reminder-tag.ts); null otherwise.
 */
export function emailMessageEvent(event: unknown): EmailMessageEvent | null {
  if (!event || typeof event !== 'object') return null;
  const e = event as {
    eventType?: string;
    notificationType?: string;
    mail?: { messageId?: unknown; tags?: Record<string, unknown> };
    bounce?: { bounceType?: string; bounceSubType?: string };
    complaint?: { complaintFeedbackType?: string };
  };
  const tag = e.mail?.tags?.[REMINDER_TAG];
  const messageId = e.mail?.messageId;
  if (!Array.isArray(tag) || typeof tag[0] !== 'string' || typeof messageId !== 'string' || !messageId) return null;
  const which = decodeReminderTag(tag[0]);
  if (!which) return null;
  const type = e.eventType ?? e.notificationType;
  if (type === 'Delivery') return { ref: which, messageId, status: 'delivered', detail: null };
  if (type === 'Bounce' && e.bounce?.bounceType === 'Permanent') return { ref: which, messageId, status: 'bounced', detail: e.bounce.bounceSubType ?? 'General' };
  if (type === 'Complaint') return { ref: which, messageId, status: 'complained', detail: e.complaint?.complaintFeedbackType ?? null };
  return null;
}
