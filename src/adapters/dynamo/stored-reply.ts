import type { EmailContent } from '../../content/email.ts';
import type { Reply } from '../../core/channel.ts';
import type { Channel } from '../../core/plan.ts';
import type { DueMessage } from '../../use-cases/ports.ts';

/**
 * The reply kept with an inbound message's dedupe record, as read back. It is written as a map
 * ({ channel: 'sms', text } or { channel: 'email', content }); records written before replies were
 * typed (they live a week) hold a string: a text's words, or an email's content as JSON.
 * Anything else reads as no reply.
 */
export function readReply(raw: unknown, messageSid: string): Reply | null {
  if (typeof raw === 'string') return legacyReply(raw, messageSid);
  if (!raw || typeof raw !== 'object') return null;
  const r = raw as Record<string, unknown>;
  if (r.channel === 'sms' && typeof r.text === 'string') return { channel: 'sms', text: r.text };
  if (r.channel === 'email' && isEmailContent(r.content)) return { channel: 'email', content: r.content };
  return null;
}

/**
 * A stored reminder's words: a text's body, or an email's content, written as a map; reminders
 * planned before emails were typed hold the content as JSON. An email that cannot be read has
 * a null body (the sweeper records it as failed, with the reason).
 */
export function readReminderMessage(channel: Channel, raw: unknown): DueMessage {
  if (channel === 'sms') return { channel, body: String(raw ?? '') };
  if (typeof raw !== 'string') return { channel, body: isEmailContent(raw) ? raw : null };
  try {
    const content: unknown = JSON.parse(raw);
    return { channel, body: isEmailContent(content) ? content : null };
  } catch {
    return { channel, body: null };
  }
}

function legacyReply(raw: string, messageSid: string): Reply | null {
  if (!messageSid.startsWith('ses:')) return { channel: 'sms', text: raw };
  try {
    const content: unknown = JSON.parse(raw);
    return isEmailContent(content) ? { channel: 'email', content } : null;
  } catch {
    return null;
  }
}

const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string');

function isEmailContent(v: unknown): v is EmailContent {
  if (!v || typeof v !== 'object') return false;
  const c = v as Record<string, unknown>;
  return typeof c.subject === 'string' && isStrings(c.intro) && isStrings(c.list) && isStrings(c.outro);
}
