/** Lambda entry point for the every-minute EventBridge schedule: send what is due. */
import { randomUUID } from 'node:crypto';
import type { ScheduledEvent } from 'aws-lambda';
import { createDynamoClient, documentClient } from '#src/adapters/dynamo/client.ts';
import { createDynamoStore } from '#src/adapters/dynamo/store.ts';
import { createLog } from '#src/adapters/log.ts';
import { createTwilioSender } from '#src/adapters/twilio/sender.ts';
import { readLambdaConfig } from '#src/config.ts';
import { sendDueReminders } from '#src/use-cases/send-due-reminders.ts';

const config = readLambdaConfig();
const log = createLog({ serviceName: 'legday-sweeper', level: config.logLevel });
const store = createDynamoStore(documentClient(createDynamoClient({ region: config.region })), config.tableName);
const sender = createTwilioSender({ ...config.twilio, timeoutMs: 10_000 });

export const handler = async (event: ScheduledEvent) => {
  // The schedule's own time, not the wall clock: a delayed or retried invocation sweeps the same minute.
  const result = await sendDueReminders({ store, sender, log, newId: randomUUID }, { now: new Date(event.time) });
  const { sent, ...counts } = result;
  log.info('sweep done', { sent: sent.length, ...counts });
  return { sent: sent.length, ...counts };
};
