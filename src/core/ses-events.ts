import { normalizeEmail } from './inbound-email.ts';

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
