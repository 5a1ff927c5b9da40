import type { EmailContent } from '../../content/email.ts';
import type { LoadRule } from '../../content/load.ts';
import type { Reply } from '../../core/channel.ts';
import type { Channel, StepVars } from '../../core/plan.ts';
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
 * A stored reminder's message, from its `body`. A reminder planned since wording moved to send time
 * holds what its step says, unworded: its vars as a map (`{ load }`), or no body when the step
 * needs none. One planned before holds its words, sent as stored: a text's string, or an email's
 * content as a map or (before emails were typed) as JSON; an email's that cannot be read is
 * `stored: null` (the sweeper records it as failed, with the reason). Undefined when the body is
 * none of these (the item is broken).
 */
export function readReminderMessage(channel: Channel, raw: unknown): DueMessage | undefined {
  if (raw === undefined) return { channel, vars: {} };
  const vars = readVars(raw);
  if (channel === 'sms') {
    if (typeof raw === 'string') return { channel, vars: {}, stored: raw };
    return vars ? { channel, vars } : undefined;
  }
  if (raw === null) return undefined;
  if (vars) return { channel, vars };
  return { channel, vars: {}, stored: typeof raw === 'string' ? emailFromJson(raw) : isEmailContent(raw) ? raw : null };
}

/** A step's vars as stored: a map of nothing but known vars, each well formed; null for anything else. */
function readVars(raw: unknown): StepVars | null {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return null;
  const { load, ...rest } = raw as Record<string, unknown>;
  if (Object.keys(rest).length) return null;
  if (load === undefined) return {};
  const rule = readLoadRule(load);
  return rule ? { load: rule } : null;
}

function readLoadRule(v: unknown): LoadRule | null {
  if (!v || typeof v !== 'object') return null;
  const r = v as Record<string, unknown>;
  if (r.kind === 'generic') return { kind: 'generic' };
  if (r.kind === 'caps' && typeof r.caps === 'string') return { kind: 'caps', caps: r.caps };
  if (r.kind === 'deload' && (typeof r.deload === 'string' || r.deload === null)) return { kind: 'deload', deload: r.deload };
  return null;
}

function legacyReply(raw: string, messageSid: string): Reply | null {
  if (!messageSid.startsWith('ses:')) return { channel: 'sms', text: raw };
  const content = emailFromJson(raw);
  return content ? { channel: 'email', content } : null;
}

/** An email's content as stored before emails were typed (JSON); null when it is not one. */
function emailFromJson(raw: string): EmailContent | null {
  try {
    const content: unknown = JSON.parse(raw);
    return isEmailContent(content) ? content : null;
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
