/** Lambda entry point for the HTTP API: the Hono app, wired once per cold start. */
import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { handle, type LambdaEvent } from 'hono/aws-lambda';
import { systemClock } from '#src/adapters/clock.ts';
import { createDynamoClient, documentClient } from '#src/adapters/dynamo/client.ts';
import { createDynamoStore } from '#src/adapters/dynamo/store.ts';
import { createLog } from '#src/adapters/log.ts';
import { createCloudWatchMetrics } from '#src/adapters/metrics.ts';
import { loadTwilioSecret } from '#src/adapters/twilio/secret.ts';
import { readLambdaConfig } from '#src/config.ts';
import { createApp } from '#src/http/app.ts';

const config = readLambdaConfig();
const twilio = await loadTwilioSecret(config.twilioSecretArn);
const log = createLog({ serviceName: 'legday-api', level: config.logLevel });
const metrics = createCloudWatchMetrics('legday-api');
const store = createDynamoStore(documentClient(createDynamoClient({ region: config.region })), config.tableName);

const app = handle(
  createApp({
    log,
    webhook: {
      sms: { store, now: systemClock.now, newId: randomUUID, log, metrics, defaultTimezone: config.defaultTimezone, limits: config.limits },
      authToken: twilio.authToken,
      publicUrl: config.publicUrl,
    },
  }),
);

export const handler = async (event: LambdaEvent, context: Context) => {
  try {
    return await app(event, context);
  } finally {
    metrics.flush();
  }
};
