import { normalizeEmail } from './inbound-email.ts';
import { REMINDER_TAG, decodeReminderTag, type TaggedReminder } from './reminder-tag.ts';

export interface EmailEventChange {
  address: string;
  to: 'bounced' | 'complained';
  detail: string;
}

/** What an SES event says about one email we sent as a reminder: stored on it like a Twilio delivery report. */
export interface EmailMessageEvent {
  ref: TaggedReminder;
  messageId: string;
  status: 'delivered' | 'bounced' | 'complained';
  detail: string | null;
}

/** What one SES event means, read once: for our addresses, and for the reminder email it is about. */
export interface SesEvent {
  /**
   * A permanent (hard) bounce and any complaint stop all email to each address named; a transient
   * bounce (mailbox full, greylisting) changes nothing, since SES has already retried it.
   */
  changes: EmailEventChange[];
  /**
   * A Delivery, a permanent Bounce or a Complaint about an email tagged with its reminder when sent
   * (core/reminder-tag.ts); null otherwise.
   */
  message: EmailMessageEvent | null;
}

/**
 * Reads an SES event. Accepts both configuration-set events (`eventType`) and identity
 * notifications (`notificationType`); anything else means nothing.
 */
export function readSesEvent(event: unknown): SesEvent {
  if (!event || typeof event !== 'object') return { changes: [], message: null };
  const e = event as {
    eventType?: string;
    notificationType?: string;
    mail?: { messageId?: unknown; tags?: Record<string, unknown> };
    bounce?: { bounceType?: string; bounceSubType?: string; bouncedRecipients?: { emailAddress?: string; diagnosticCode?: string }[] };
    complaint?: { complaintFeedbackType?: string; complainedRecipients?: { emailAddress?: string }[] };
  };
  const type = e.eventType ?? e.notificationType;
  const addresses = (list: { emailAddress?: string }[] | undefined) =>
    (list ?? []).map((r) => normalizeEmail(String(r.emailAddress ?? '').replace(/^.*<([^>]+)>.*$/, '$1'))).filter((a): a is string => a !== null);
  const about = (status: EmailMessageEvent['status'], detail: string | null) => {
    const tagged = taggedReminder(e.mail);
    return tagged ? { ...tagged, status, detail } : null;
  };
  if (type === 'Bounce' && e.bounce?.bounceType === 'Permanent') {
    const subType = e.bounce.bounceSubType ?? 'General';
    const detail = `SES hard bounce (${subType})`;
    return {
      changes: addresses(e.bounce.bouncedRecipients).map((address) => ({ address, to: 'bounced', detail })),
      message: about('bounced', subType),
    };
  }
  if (type === 'Complaint') {
    const feedback = e.complaint?.complaintFeedbackType;
    const detail = `SES complaint (${feedback ?? 'not given'})`;
    return {
      changes: addresses(e.complaint?.complainedRecipients).map((address) => ({ address, to: 'complained', detail })),
      message: about('complained', feedback ?? null),
    };
  }
  if (type === 'Delivery') return { changes: [], message: about('delivered', null) };
  return { changes: [], message: null };
}

/** The reminder an email was tagged with when sent, and SES's id for that email; null when untagged. */
function taggedReminder(mail: { messageId?: unknown; tags?: Record<string, unknown> } | undefined): { ref: TaggedReminder; messageId: string } | null {
  const tag = mail?.tags?.[REMINDER_TAG];
  const messageId = mail?.messageId;
  if (!Array.isArray(tag) || typeof tag[0] !== 'string' || typeof messageId !== 'string' || !messageId) return null;
  const ref = decodeReminderTag(tag[0]);
  return ref ? { ref, messageId } : null;
}
