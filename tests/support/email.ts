import { buildMime } from '../../src/adapters/ses/mime.ts';
import type { ReceiptVerdicts } from '../../src/core/inbound-email.ts';
import type { AppStack } from '../../src/local/stack.ts';

export interface SesStoredEmail {
  messageId: string;
  from: string;
  destination: { to: string[] };
  subject: string;
  body: { text?: string; html?: string };
  at: number;
}

/** Every email the local SES holds for one address, read back through its /store API. */
export async function sesEmails(stack: AppStack, to: string): Promise<SesStoredEmail[]> {
  const res = await fetch(stack.ses.url + '/store');
  const { emails } = (await res.json()) as { emails: SesStoredEmail[] };
  return emails.filter((e) => e.destination.to.some((t) => t.toLowerCase().includes(to.toLowerCase())));
}

/** Submits the sign-up form as a browser would. */
export async function submitSignUp(stack: AppStack, fields: Record<string, string>): Promise<{ status: number; html: string }> {
  const res = await fetch(stack.url + '/', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });
  return { status: res.status, html: await res.text() };
}

export const linkIn = (text: string | undefined, path: '/email/confirm' | '/email/unsubscribe') => {
  const m = new RegExp(`https?://[^\\s"<>]+${path.replace('/', '\\/')}\\?t=[\\w.-]+`).exec(text ?? '');
  if (!m) throw new Error(`no ${path} link in: ${text}`);
  return m[0];
};

export const PASS: ReceiptVerdicts = { spam: 'PASS', virus: 'PASS', spf: 'PASS', dkim: 'PASS', dmarc: 'PASS' };

let n = 0;
/** An email as SES receives it: real MIME, multipart when given HTML. */
export async function receive(
  stack: AppStack,
  mail: { from: string; subject: string; text: string; html?: string },
  verdicts: ReceiptVerdicts = PASS,
) {
  const id = `test-${Date.now().toString(36)}-${++n}`;
  const raw = await buildMime({ ...mail, to: 'coach@legday.local', messageId: `<${id}@mail.example>` });
  return { id, result: await stack.receiveEmail({ raw, sesMessageId: id, verdicts }) };
}

/** Signs up an email-only user and follows the confirmation link. */
export async function confirmedEmailUser(stack: AppStack, address: string, timezone = 'Europe/London') {
  const res = await submitSignUp(stack, { channels: 'email', email: address, timezone, consent: 'yes' });
  if (res.status !== 200) throw new Error(`sign-up answered ${res.status}`);
  const [mail] = await sesEmails(stack, address);
  const link = linkIn(mail?.body.text, '/email/confirm');
  const confirm = await fetch(link.replace(stack.publicUrl, stack.url), { method: 'POST' });
  if (confirm.status !== 200) throw new Error(`confirm answered ${confirm.status}`);
}
