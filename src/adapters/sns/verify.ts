import { createVerify, generateKeyPairSync, createSign } from 'node:crypto';
import * as v from 'valibot';

/**
 * Verifies Amazon SNS messages delivered over HTTPS (SES bounce and complaint events), following
 * AWS's "Verifying the signatures of Amazon SNS messages": the signing certificate must come from
 * an SNS host over HTTPS, the canonical string is rebuilt from the message's own fields, and the
 * topic must be ours. Anything unsigned, altered, signed by another key or from another topic is
 * refused.
 */

const text = v.pipe(v.string(), v.minLength(1));
export const snsMessageSchema = v.object({
  Type: v.picklist(['Notification', 'SubscriptionConfirmation', 'UnsubscribeConfirmation']),
  MessageId: text,
  TopicArn: text,
  Message: v.string(),
  Timestamp: text,
  // Version 1 (SHA1) is refused: the topic is set to sign with version 2 (cdk/email-resources.ts).
  SignatureVersion: v.literal('2'),
  Signature: text,
  SigningCertURL: text,
  Subject: v.optional(v.string()),
  Token: v.optional(v.string()),
  SubscribeURL: v.optional(v.string()),
});
export type SnsMessage = v.InferOutput<typeof snsMessageSchema>;

/** The region of an SNS topic ARN (arn:aws:sns:<region>:<account>:<name>), or null. */
export const topicRegion = (topicArn: string) => /^arn:aws[\w-]*:sns:([a-z0-9-]+):/.exec(topicArn)?.[1] ?? null;

/**
 * Only SNS's own host in the topic's region may serve the certificate (or the subscription link):
 * https://sns.<region>.amazonaws.com (.com.cn in China), no port, no credentials. A certificate URL
 * also carries no query string or fragment (`query: false`); a SubscribeURL needs its query.
 */
export function isSnsUrl(raw: string, opts: { region: string; pathEnd?: string; query?: boolean }): boolean {
  try {
    const u = new URL(raw);
    const host = new RegExp(`^sns\\.${opts.region.replace(/[^a-z0-9-]/g, '')}\\.amazonaws\\.com(\\.cn)?$`);
    return (
      u.protocol === 'https:' &&
      host.test(u.hostname) &&
      !u.port &&
      !u.username &&
      !u.password &&
      !u.hash &&
      (opts.query === true || (!u.search && !raw.includes('?'))) &&
      (!opts.pathEnd || u.pathname.endsWith(opts.pathEnd))
    );
  } catch {
    return false;
  }
}

/** The exact string SNS signed, field order and all. */
export function stringToSign(m: SnsMessage): string {
  const fields =
    m.Type === 'Notification'
      ? (['Message', 'MessageId', ...(m.Subject !== undefined ? ['Subject'] : []), 'Timestamp', 'TopicArn', 'Type'] as const)
      : (['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'] as const);
  return fields.map((f) => `${f}\n${(m as Record<string, string | undefined>)[f] ?? ''}\n`).join('');
}

export type SnsCheck = { ok: true; message: SnsMessage } | { ok: false; status: 400 | 403; reason: string };

/** Messages older than this are refused: a captured message cannot be replayed days later. */
const MAX_AGE_MS = 24 * 3_600_000;

export function createSnsVerifier(opts: {
  topicArn: string;
  /** Returns the PEM (certificate or public key) at an SNS certificate URL. */
  certificate: (url: string) => Promise<string>;
}) {
  return async (body: unknown, now: Date): Promise<SnsCheck> => {
    const parsed = v.safeParse(snsMessageSchema, body);
    if (!parsed.success) return { ok: false, status: 400, reason: 'not an SNS message' };
    const m = parsed.output;
    if (m.TopicArn !== opts.topicArn) return { ok: false, status: 403, reason: 'message from another topic' };
    const region = topicRegion(opts.topicArn);
    if (!region || !isSnsUrl(m.SigningCertURL, { region, pathEnd: '.pem' })) return { ok: false, status: 403, reason: 'signing certificate not from SNS' };
    const at = Date.parse(m.Timestamp);
    if (Number.isNaN(at) || now.getTime() - at > MAX_AGE_MS) return { ok: false, status: 403, reason: 'message too old' };
    let pem: string;
    try {
      pem = await opts.certificate(m.SigningCertURL);
    } catch {
      // Unverifiable now: SNS retries a failed delivery, so a 403 here costs nothing but time.
      return { ok: false, status: 403, reason: 'signing certificate unavailable' };
    }
    const verifier = createVerify('RSA-SHA256');
    verifier.update(stringToSign(m), 'utf8');
    let valid = false;
    try {
      valid = verifier.verify(pem, m.Signature, 'base64');
    } catch {
      valid = false;
    }
    return valid ? { ok: true, message: m } : { ok: false, status: 403, reason: 'bad signature' };
  };
}

/** Certificates kept in memory: SNS rotates through a handful per region. */
export const SNS_CERT_CACHE_SIZE = 8;

/**
 * Fetches and caches SNS signing certificates, with a timeout. Only the topic's region's SNS host
 * is asked, and the cache holds at most SNS_CERT_CACHE_SIZE URLs (the oldest is dropped), so a
 * stream of distinct URLs cannot grow it.
 */
export function fetchSnsCertificate(topicArn: string, timeoutMs = 3000): (url: string) => Promise<string> {
  const cache = new Map<string, Promise<string>>();
  const region = topicRegion(topicArn);
  return (url) => {
    if (!region || !isSnsUrl(url, { region, pathEnd: '.pem' })) return Promise.reject(new Error('not an SNS certificate URL'));
    let hit = cache.get(url);
    if (!hit) {
      while (cache.size >= SNS_CERT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
      hit = fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'error' }).then(async (res) => {
        if (!res.ok) throw new Error(`certificate fetch failed: ${res.status}`);
        const pem = await res.text();
        if (!pem.includes('BEGIN CERTIFICATE')) throw new Error('certificate fetch returned no certificate');
        return pem;
      });
      hit.catch(() => cache.delete(url));
      cache.set(url, hit);
    }
    return hit;
  };
}

/**
 * Visits a SubscriptionConfirmation's SubscribeURL, confirming our HTTPS subscription. Only with a
 * URL the route has checked is SNS's own (isSnsUrl, in the topic's region): it is not checked again.
 */
export async function confirmSnsSubscription(url: string, timeoutMs = 3000): Promise<void> {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'error' });
  if (!res.ok) throw new Error(`subscription confirmation failed: ${res.status}`);
}

/**
 * A signing key of our own, for local runs and tests: the local stack signs simulated SES events
 * with it exactly as SNS signs real ones, and the verifier is handed its public key for this one
 * certificate URL instead of fetching SNS's.
 */
export function createLocalSnsSigner(topicArn: string) {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const certUrl = 'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-legday-local.pem';
  const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  return {
    topicArn,
    certUrl,
    certificate: async (url: string) => {
      if (url !== certUrl) throw new Error('unknown certificate');
      return pem;
    },
    /** A signed Notification, as SNS would POST it. */
    notification(message: unknown, now: Date, id: string): SnsMessage {
      const m: SnsMessage = {
        Type: 'Notification',
        MessageId: id,
        TopicArn: topicArn,
        Message: JSON.stringify(message),
        Timestamp: now.toISOString(),
        SignatureVersion: '2',
        Signature: '',
        SigningCertURL: certUrl,
      };
      const signer = createSign('RSA-SHA256');
      signer.update(stringToSign(m), 'utf8');
      return { ...m, Signature: signer.sign(privateKey, 'base64') };
    },
  };
}
