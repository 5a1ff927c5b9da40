import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signed tokens for the links in our emails (confirm an address, one-click unsubscribe). The link
 * itself is the proof: no login and no cookie, so it works from any mail app and from the
 * List-Unsubscribe POST that mail providers send. HMAC-SHA256 over the purpose and the address,
 * so a token for one address or purpose is worthless for another.
 */

export type LinkPurpose = 'confirm' | 'unsubscribe';

interface Payload {
  p: LinkPurpose;
  a: string;
  /** Expiry, epoch seconds; unsubscribe links never expire (an old email must still work). */
  x?: number;
}

const b64 = (b: Buffer | string) => Buffer.from(b).toString('base64url');

export interface LinkSigner {
  sign(purpose: LinkPurpose, address: string, expiresAt?: Date): string;
  /** The address the token was made for, or null when it is forged, altered, for another purpose or expired. */
  verify(token: string, purpose: LinkPurpose, now: Date): string | null;
}

export function createLinkSigner(secret: string): LinkSigner {
  if (secret.length < 16) throw new Error('the link signing secret is too short');
  const mac = (data: string) => createHmac('sha256', secret).update(data).digest();
  return {
    sign(purpose, address, expiresAt) {
      const payload: Payload = { p: purpose, a: address, ...(expiresAt ? { x: Math.floor(expiresAt.getTime() / 1000) } : {}) };
      const body = b64(JSON.stringify(payload));
      return `${body}.${b64(mac(body))}`;
    },
    verify(token, purpose, now) {
      const m = /^([A-Za-z0-9_-]{1,2048})\.([A-Za-z0-9_-]{43})$/.exec(token);
      if (!m) return null;
      const [, body, sig] = m as unknown as [string, string, string];
      const given = Buffer.from(sig, 'base64url');
      const expected = mac(body);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
      let payload: Payload;
      try {
        payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Payload;
      } catch {
        return null;
      }
      if (payload.p !== purpose || typeof payload.a !== 'string') return null;
      if (payload.x !== undefined && payload.x * 1000 < now.getTime()) return null;
      return payload.a;
    },
  };
}
