/** Lambda entry point for the HTTP API: the Hono app, wired once per cold start. */
import { randomUUID } from 'node:crypto';
import { handle } from 'hono/aws-lambda';
import { systemClock } from '#src/adapters/clock.ts';
import { createDynamoClient, documentClient } from '#src/adapters/dynamo/client.ts';
import { createDynamoStore } from '#src/adapters/dynamo/store.ts';
import { createLog } from '#src/adapters/log.ts';
import { readLambdaConfig } from '#src/config.ts';
import { createApp } from '#src/http/app.ts';

const config = readLambdaConfig();
const log = createLog({ serviceName: 'legday-api', level: config.logLevel });
const store = createDynamoStore(documentClient(createDynamoClient({ region: config.region })), config.tableName);

export const handler = handle(
  createApp({
    log,
    webhook: {
      sms: { store, now: systemClock.now, newId: randomUUID, log, defaultTimezone: config.defaultTimezone },
      authToken: config.twilio.authToken,
      publicUrl: config.publicUrl,
    },
  }),
);
