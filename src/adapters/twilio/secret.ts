import { readSecret } from '../secrets.ts';
import { parseTwilioSecretText } from '../../config.ts';

/**
 * Twilio's credentials from Secrets Manager, fetched once per cold start (callers keep the result)
 * and validated, so a malformed secret fails the cold start loudly instead of every send.
 */
export async function loadTwilioSecret(secretArn: string) {
  // Parsed here, not by Powertools' JSON transform: its error would carry the start of the value.
  const raw = await readSecret(secretArn);
  return parseTwilioSecretText(raw);
}
