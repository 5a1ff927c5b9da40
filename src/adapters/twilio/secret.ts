import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { parseTwilioSecret } from '../../config.ts';

/**
 * Twilio's credentials from Secrets Manager, fetched once per cold start (callers keep the result)
 * and validated, so a malformed secret fails the cold start loudly instead of every send.
 */
export async function loadTwilioSecret(secretArn: string) {
  const raw = await getSecret(secretArn, { transform: 'json', maxAge: 3600 });
  return parseTwilioSecret(raw);
}
