import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { awsClientOptions } from './aws-client.ts';

/**
 * Secrets Manager through one Powertools provider, its calls bounded: a Secrets Manager that hangs
 * fails the read within a few seconds (the api then answers 503, which Twilio retries) instead of
 * holding a request until Lambda's own timeout. Values are cached for an hour per cold start.
 */
let provider: SecretsProvider | undefined;

export function readSecret(secretArn: string): Promise<unknown> {
  provider ??= new SecretsProvider({ clientConfig: awsClientOptions({ timeoutMs: 1500, maxAttempts: 2 }) });
  return provider.get(secretArn, { maxAge: 3600 });
}
