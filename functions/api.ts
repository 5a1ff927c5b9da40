/** Lambda entry point for the HTTP API: the Hono app, wired once per cold start. */
import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { getConnInfo, handle, type LambdaEvent } from 'hono/aws-lambda';
import { systemClock } from '#src/adapters/clock.ts';
import { createDynamoClient, documentClient } from '#src/adapters/dynamo/client.ts';
import { createDynamoStore } from '#src/adapters/dynamo/store.ts';
import { lambdaEmail } from '#src/adapters/email/lambda.ts';
import { createLog } from '#src/adapters/log.ts';
import { createCloudWatchMetrics } from '#src/adapters/metrics.ts';
import { confirmSnsSubscription, createSnsVerifier, fetchSnsCertificate } from '#src/adapters/sns/verify.ts';
import { loadTwilioSecret } from '#src/adapters/twilio/secret.ts';
import { mailAddress, readLambdaConfig } from '#src/config.ts';
import { createApp } from '#src/http/app.ts';

const config = readLambdaConfig();
const log = createLog({ serviceName: 'legday-api', level: config.logLevel });
const metrics = createCloudWatchMetrics('legday-api');
const store = createDynamoStore(documentClient(createDynamoClient({ region: config.region })), config.tableName);
const now = systemClock.now;

async function wire() {
  const [twilio, { signer, email }] = await Promise.all([loadTwilioSecret(config.twilioSecretArn), lambdaEmail(config)]);
  return handle(
    createApp({
      log,
      webhook: {
        sms: { store, now, newId: randomUUID, log, metrics, defaultTimezone: config.defaultTimezone, limits: config.limits },
        authToken: twilio.authToken,
        publicUrl: config.publicUrl,
      },
      signUp: {
        signUp: { store, email, now, log, metrics, enrolmentsPerHour: config.limits.enrolmentsTotal, confirmationsPerHour: config.limits.confirmationEmailsTotal },
        limits: config.limits,
        serviceNumber: config.twilioFrom,
        clientOf: (c) => getConnInfo(c).remote.address,
        serviceEmail: mailAddress(config.mailFrom),
      },
      emailLinks: { store, log, now, signer },
      sesEvents: {
        store,
        log,
        metrics,
        now,
        verify: createSnsVerifier({ topicArn: config.sesEventsTopicArn, certificate: fetchSnsCertificate(config.sesEventsTopicArn) }),
        confirmSubscription: (url: string) => confirmSnsSubscription(url),
      },
    }),
  );
}

// The secrets are fetched while the rest of the cold start goes on (the first request waits for
// what is left of it); a failed fetch is not kept: the next request tries again.
let app: ReturnType<typeof wire> | null = null;
const ready = () => (app ??= wire().catch((err: unknown) => ((app = null), Promise.reject(err))));
ready().catch(() => {});

export const handler = async (event: LambdaEvent, context: Context) => {
  try {
    let run: Awaited<ReturnType<typeof wire>>;
    try {
      run = await ready();
    } catch (err) {
      // Twilio and SNS retry a 503; nothing was read or written.
      log.error('secrets could not be loaded; answering 503', { error: String(err) });
      metrics.count('SecretsUnavailable');
      return { statusCode: 503, headers: { 'content-type': 'text/plain; charset=UTF-8', 'retry-after': '5' }, body: 'Temporarily unavailable, please retry' };
    }
    return await run(event, context);
  } finally {
    metrics.flush();
  }
};
