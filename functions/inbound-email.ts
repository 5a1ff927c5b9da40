/** Lambda entry point for mail received by SES: the receipt rule stored it in S3, then invoked us. */
import { randomUUID } from 'node:crypto';
import type { SESEvent } from 'aws-lambda';
import { systemClock } from '#src/adapters/clock.ts';
import { createDynamoClient, documentClient } from '#src/adapters/dynamo/client.ts';
import { createDynamoStore } from '#src/adapters/dynamo/store.ts';
import { lambdaEmail } from '#src/adapters/email/lambda.ts';
import { parseEmail } from '#src/adapters/email/parse.ts';
import { createLog } from '#src/adapters/log.ts';
import { createCloudWatchMetrics } from '#src/adapters/metrics.ts';
import { createRawMailReader } from '#src/adapters/s3/raw-mail.ts';
import { readLambdaConfig } from '#src/config.ts';
import type { Verdict } from '#src/core/inbound-email.ts';
import { dropped, handleInboundEmail, MAX_INBOUND_EMAIL_BYTES } from '#src/use-cases/handle-inbound-email.ts';

const config = readLambdaConfig();
if (!config.mailBucket) throw new Error('MAIL_BUCKET is required by the inbound-email function');
const log = createLog({ serviceName: 'legday-inbound-email', level: config.logLevel });
const metrics = createCloudWatchMetrics('legday-inbound-email');
const store = createDynamoStore(documentClient(createDynamoClient({ region: config.region })), config.tableName);
const { email } = await lambdaEmail(config);
const readRaw = createRawMailReader({ region: config.region, bucket: config.mailBucket, prefix: config.mailPrefix, maxBytes: MAX_INBOUND_EMAIL_BYTES });
const deps = { store, email, parse: parseEmail, now: systemClock.now, newId: randomUUID, log, metrics, defaultTimezone: config.defaultTimezone, limits: config.limits };
const verdict = (v: { status?: string } | undefined) => (v?.status ?? 'PROCESSING_FAILED') as Verdict;

export const handler = async (event: SESEvent) => {
  try {
    for (const record of event.Records) {
      const { mail, receipt } = record.ses;
      const stored = await readRaw(mail.messageId);
      if ('tooLarge' in stored) {
        // Refused before it is downloaded or parsed; no reply (nothing vouches for the sender yet).
        log.info('inbound email handled', { outcome: dropped(deps, 'too large').outcome, bytes: stored.tooLarge });
        continue;
      }
      const result = await handleInboundEmail(deps, {
        raw: stored.raw,
        sesMessageId: mail.messageId,
        envelopeFrom: mail.source ?? null,
        verdicts: {
          spam: verdict(receipt.spamVerdict),
          virus: verdict(receipt.virusVerdict),
          spf: verdict(receipt.spfVerdict),
          dkim: verdict(receipt.dkimVerdict),
          dmarc: verdict(receipt.dmarcVerdict),
        },
      });
      log.info('inbound email handled', { outcome: result.outcome });
    }
  } finally {
    metrics.flush();
  }
};
