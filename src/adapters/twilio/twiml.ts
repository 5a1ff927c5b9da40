/**
 * The one TwiML shape we answer with. Written by hand: the SDK's TwiML builder pulls in an XML
 * library the webhook does not otherwise need (see the cold-start benchmark).
 */
export function messagingResponse(text: string | null | readonly string[]): string {
  const texts = text === null ? [] : typeof text === 'string' ? [text] : text;
  const body = texts.map((t) => `<Message>${escapeXml(t)}</Message>`).join('');
  return `<?xml version="1.0" encoding="UTF-8"?><Response>${body}</Response>`;
}

function escapeXml(s: string): string {
  return s.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!);
}

/** Every message of a TwiML response, in order. */
export function replyTexts(twiml: string): string[] {
  return [...twiml.matchAll(/<Message>([\s\S]*?)<\/Message>/g)].map((m) => unescapeXml(m[1]!));
}

const unescapeXml = (s: string) => s.replace(/&(lt|gt|amp|apos|quot);/g, (_, e: string) => ({ lt: '<', gt: '>', amp: '&', apos: "'", quot: '"' })[e]!);

/** Reads the (first) reply text back out of a TwiML response (the dev surface and tests use it). */
export const replyText = (twiml: string): string | null => replyTexts(twiml)[0] ?? null;
