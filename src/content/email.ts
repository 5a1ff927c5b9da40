/**
 * Email wording (email.json): every recovery step and every reply as a proper email, with a
 * subject, a short intro, the steps as a list and a closing line. Emails have room for the full
 * advice an SMS has to shorten, so the words are their own, not the SMS strings. Facts still
 * come from shared/recovery-facts.md.
 */
import * as v from 'valibot';
import emailJson from './email.json' with { type: 'json' };
import { PLAN, SMS, UnknownStepError, stepEntry, type SmsName } from './index.ts';
import { loadLine, type LoadRule, type LoadTemplates } from './load.ts';

/** One email's words, before links and markup are added. */
export interface EmailContent {
  subject: string;
  intro: string[];
  list: string[];
  outro: string[];
}

/** A value for a placeholder: a list expands into list items; a nested reply brings its own words. */
export type SaidValue = string | number | readonly string[] | Said;
/** What the service decided to say, before it is worded for a channel. */
export interface Said {
  key: SmsName;
  vars: Readonly<Record<string, SaidValue>>;
}

const lines = v.array(v.string());
const text = v.pipe(v.string(), v.minLength(1));
const block = v.object({
  subject: v.string(),
  intro: lines,
  list: v.optional(lines, []),
  outro: v.optional(lines, []),
});
const emailSchema = v.object({
  footer: text,
  unsubscribeLabel: text,
  confirm: v.object({ subject: text, intro: v.pipe(lines, v.minLength(1)), button: text }),
  steps: v.record(v.string(), block),
  load: v.object({ generic: v.string(), caps: v.string(), deload: v.string() }),
  replies: v.record(v.string(), block),
  notSignedUp: block,
});

const EMAIL = v.parse(emailSchema, emailJson);
for (const step of [...PLAN.steps.map((s) => s.id), 'pain-check']) {
  if (!EMAIL.steps[step]?.subject) throw new Error(`email.json has no email for plan step "${step}"`);
}
for (const key of Object.keys(SMS)) {
  if (!EMAIL.replies[key]) throw new Error(`email.json has no email reply for "${key}"`);
}

/** The double opt-in email, laid out, with its link as the button. */
export function confirmationEmail(url: string): RenderedEmail {
  const content = { subject: EMAIL.confirm.subject, intro: EMAIL.confirm.intro, list: [], outro: [] };
  return layoutEmail(content, { action: { label: EMAIL.confirm.button, url } });
}

/** The answer to an email from an address that has not signed up. */
export function notSignedUpEmail(signUpUrl: string): EmailContent {
  return fill(EMAIL.notSignedUp, { url: signUpUrl });
}

const isSaid = (v: SaidValue | undefined): v is Said => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The SMS wording of a decision: nested replies rendered in place, lists joined. */
export function smsText(said: Said): string {
  return SMS[said.key].replace(/\{(\w+)\}/g, (_, name: string) => inline(said.vars[name], name, smsText));
}

function inline(value: SaidValue | undefined, name: string, nested: (s: Said) => string): string {
  if (value === undefined) throw new Error(`no value for {${name}}`);
  if (isSaid(value)) return nested(value);
  if (Array.isArray(value)) return value.join('; ');
  return String(value);
}

/** Fills one email block: a list item that is just "{name}" expands to that many items. */
function fill(b: EmailContent, vars: Readonly<Record<string, SaidValue>>): EmailContent {
  const one = (s: string) =>
    s.replace(/\{(\w+)\}/g, (_, name: string) => inline(vars[name], name, (n) => emailReply(n).intro.join(' ')));
  const many = (lines: readonly string[]) =>
    lines.flatMap((line) => {
      const whole = /^\{(\w+)\}$/.exec(line);
      if (!whole) return [one(line)];
      const v = vars[whole[1]!];
      // An optional list (the schedule) that the caller did not pass is left out.
      if (v === undefined) return [];
      if (Array.isArray(v)) return v.map(String);
      if (isSaid(v)) return emailReply(v).list;
      return [String(v)];
    });
  return { subject: one(b.subject), intro: many(b.intro), list: many(b.list), outro: many(b.outro) };
}

/** A reply worded as an email; `extra` adds what only an email shows (the schedule). */
export function emailReply(said: Said, extra: Readonly<Record<string, SaidValue>> = {}): EmailContent {
  return fill(EMAIL.replies[said.key]!, { ...said.vars, ...extra });
}

/** The templates a scheduled step's email is worded with: each step's block and the load advice's three. */
export interface StepEmails {
  steps: Readonly<Record<string, EmailContent>>;
  load: LoadTemplates;
}

/** email.json's. */
export const STEP_EMAILS: StepEmails = { steps: EMAIL.steps, load: EMAIL.load };

/** A plan step as an email, with the load advice `load` (load.ts) in the email's words. */
export function stepEmail(stepId: string, load: LoadRule = { kind: 'generic' }, emails: StepEmails = STEP_EMAILS): EmailContent {
  const b = stepEntry(emails.steps, stepId);
  if (!b) throw new UnknownStepError(stepId, 'the emails');
  return fill(b, { load: loadLine(load, emails.load) });
}

/** A finished email: both parts, ready for MIME. */
export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/**
 * Lays out an email as plain text and a small HTML page. Every recovery email carries a visible
 * unsubscribe link (besides the List-Unsubscribe header); `action` is a button, for the
 * confirmation email.
 */
export function layoutEmail(
  content: EmailContent,
  links: { unsubscribeUrl?: string; action?: { label: string; url: string } },
): RenderedEmail {
  const text = [
    ...content.intro,
    ...(content.list.length ? [content.list.map((item) => `- ${item}`).join('\n')] : []),
    ...(links.action ? [`${links.action.label}: ${links.action.url}`] : []),
    ...content.outro,
    // Only list mail (recovery emails and replies) gets the footer; one-off emails explain themselves.
    ...(links.unsubscribeUrl ? ['--', EMAIL.footer, `${EMAIL.unsubscribeLabel}: ${links.unsubscribeUrl}`] : []),
  ].join('\n\n');
  const p = (s: string) => `<p style="margin:0 0 14px">${escapeHtml(s)}</p>`;
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(content.subject)}</title></head>
<body style="margin:0;padding:24px 16px;background:#f4f4f5;font:16px/1.5 -apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif;color:#18181b">
<div style="max-width:560px;margin:0 auto;background:#fff;border-radius:12px;padding:24px">
${content.intro.map(p).join('\n')}
${content.list.length ? `<ul style="margin:0 0 14px;padding-left:22px">${content.list.map((i) => `<li style="margin-bottom:6px">${escapeHtml(i)}</li>`).join('')}</ul>` : ''}
${links.action ? `<p style="margin:20px 0"><a href="${escapeHtml(links.action.url)}" style="background:#16a34a;color:#fff;padding:12px 20px;border-radius:8px;text-decoration:none;font-weight:600">${escapeHtml(links.action.label)}</a></p>` : ''}
${content.outro.map(p).join('\n')}
</div>
${
    links.unsubscribeUrl
      ? `<p style="max-width:560px;margin:16px auto 0;font-size:13px;color:#71717a">${escapeHtml(EMAIL.footer)} <a href="${escapeHtml(links.unsubscribeUrl)}" style="color:#71717a">${escapeHtml(EMAIL.unsubscribeLabel)}</a></p>`
      : ''
  }
</body></html>`;
  return { subject: content.subject, text, html };
}

// A placeholder typo in a step's email fails here, at start-up, rather than when the step falls due.
for (const step of [...PLAN.steps.map((s) => s.id), 'pain-check']) stepEmail(step);
