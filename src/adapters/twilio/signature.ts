// The webhooks module on its own: validating a signature needs only node:crypto, not the REST client.
import { getExpectedTwilioSignature, validateRequest } from 'twilio/lib/webhooks/webhooks.js';

/**
 * Twilio signs the full public URL it called (scheme, host, path and query) plus the sorted POST
 * params. Behind API Gateway the Lambda sees another host, so the URL is rebuilt from PUBLIC_URL.
 */
export function isValidTwilioSignature(
  authToken: string,
  signature: string | undefined,
  url: string,
  params: Record<string, string>,
): boolean {
  if (!signature) return false;
  return validateRequest(authToken, signature, url, params);
}

export function signTwilioRequest(authToken: string, url: string, params: Record<string, string>): string {
  return getExpectedTwilioSignature(authToken, url, params);
}
