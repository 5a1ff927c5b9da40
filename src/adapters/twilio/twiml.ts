/**
 * The one TwiML shape we answer with. Written by hand: the SDK's TwiML builder pulls in an XML
 * library the webhook does not otherwise need (see the cold-start benchmark).
 */
export function messagingResponse(text: string | null): string {
  const body = text === null ? '' : `<Message>${escapeXml(text)}</Message>`;
  return `<?xml version="1.0" encoding="UTF-8"?><Response>${body}</Response>`;
}

function escapeXml(s: string): string {
  return s.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!);
}

/** Reads the reply text back out of a TwiML response (the dev surface and tests use it). */
export function replyText(twiml: string): string | null {
  const m = /<Message>([\s\S]*?)<\/Message>/.exec(twiml);
  if (!m) return null;
  return m[1]!.replace(/&(lt|gt|amp|apos|quot);/g, (_, e: string) => ({ lt: '<', gt: '>', amp: '&', apos: "'", quot: '"' })[e]!);
}
