/** Lambda entry point for the every-minute EventBridge schedule: send what is due. */
import { randomUUID } from 'node:crypto';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { sleep, systemClock } from '#src/adapters/clock.ts';
import { createDynamoClient, documentClient } from '#src/adapters/dynamo/client.ts';
import { createDynamoStore } from '#src/adapters/dynamo/store.ts';
import { lambdaEmail } from '#src/adapters/email/lambda.ts';
import { createLog } from '#src/adapters/log.ts';
import { createCloudWatchMetrics } from '#src/adapters/metrics.ts';
import { loadTwilioSecret } from '#src/adapters/twilio/secret.ts';
import { createTwilioSender } from '#src/adapters/twilio/sender.ts';
import { STATUS_CALLBACK_PATH, readLambdaConfig } from '#src/config.ts';
import { sendDueReminders } from '#src/use-cases/send-due-reminders.ts';

const config = readLambdaConfig();
const log = createLog({ serviceName: 'legday-sweeper', level: config.logLevel });
const metrics = createCloudWatchMetrics('legday-sweeper');
const store = createDynamoStore(documentClient(createDynamoClient({ region: config.region })), config.tableName, {
  // Skipped, so the rest still go; the error names the item with its keys masked.
  onBrokenItem: (err) => {
    log.error('broken reminder skipped', { error: err.message });
    metrics.count('BrokenItems');
  },
});
const [twilio, { email }] = await Promise.all([loadTwilioSecret(config.twilioSecretArn), lambdaEmail(config)]);
const sender = createTwilioSender({
  ...twilio,
  from: config.twilioMessagingServiceSid ?? config.twilioFrom,
  statusCallbackUrl: `${config.publicUrl}${STATUS_CALLBACK_PATH}`,
  timeoutMs: 10_000,
  ...(config.twilioApiUrl ? { apiBaseUrl: config.twilioApiUrl } : {}),
});
const deps = { store, sender, email, log, metrics, newId: randomUUID, wallClock: systemClock, sleep, defaultTimezone: config.defaultTimezone };

export const handler = async (event: ScheduledEvent, context: Context) => {
  try {
    // The schedule's own time, not the wall clock: a delayed or retried invocation sweeps the same minute.
    const result = await sendDueReminders(deps, {
      now: new Date(event.time),
      ratePerSecond: config.sendRatePerSecond,
      // Leave 15 s to record the last outcomes before the Lambda is stopped.
      budgetMs: Math.max(0, context.getRemainingTimeInMillis() - 15_000),
    });
    const { sent, ...counts } = result;
    log.info('sweep done', { sent: sent.length, ...counts });
    return { sent: sent.length, ...counts };
  } finally {
    metrics.flush();
  }
};
