import { randomUUID } from 'node:crypto';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { systemClock } from '../../src/adapters/clock.ts';
import { createDynamoClient, documentClient } from '../../src/adapters/dynamo/client.ts';
import { INBOUND_SK, inboundPk } from '../../src/adapters/dynamo/keys.ts';
import { ensureTable } from '../../src/adapters/dynamo/table.ts';
import { LOCAL_SERVICE_NUMBER, LOCAL_TWILIO_ACCOUNT_SID } from '../../src/config.ts';
import { startS3Local, type S3Local } from '../../src/local/s3-local.ts';
import { secretArn, startSecretsStandin, type SecretsStandin } from '../../src/local/secrets-standin.ts';
import { startSesLocal, type SesLocal } from '../../src/local/ses-local.ts';
import { buildFunction, lambdaEnvironment, startFunction, type RunningFunction } from '../support/lambda.ts';

/**
 * The inbound-email bundle, built as CDK builds it, run as Lambda runs it: invoked with the event
 * SES's receipt rule sends after storing the message in S3 (here a local S3), answering through
 * SES (the local one), recording what it handled in DynamoDB Local.
 */
const PUBLIC_URL = 'https://legday.example.com';
const BUCKET = 'legday-test-mail';
const SERVICE = 'coach@legday.example.com';
const tableName = `legday-lambda-${randomUUID().slice(0, 8)}`;
const endpoint = inject('dynamoEndpoint');
const db = documentClient(createDynamoClient({ region: 'us-east-1', endpoint }));
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

let s3: S3Local;
let s3client: S3Client;
let secrets: SecretsStandin;
let ses: SesLocal;
let fn: RunningFunction;
let bundle: { remove(): void } | undefined;

beforeAll(async () => {
  const raw = createDynamoClient({ region: 'us-east-1', endpoint });
  await ensureTable(raw, tableName);
  raw.destroy();
  s3 = await startS3Local({ buckets: [BUCKET], credentials });
  s3client = new S3Client({ region: 'us-east-1', endpoint: s3.url, forcePathStyle: true, credentials });
  secrets = await startSecretsStandin({
    [secretArn('legday/test/twilio')]: JSON.stringify({ accountSid: LOCAL_TWILIO_ACCOUNT_SID, authToken: 'f0e1d2c3b4a5968778695a4b3c2d1e0f' }),
    [secretArn('legday/test/link-signing-key')]: 'Q7m2Xk9pL4vR8sT1wY6zB3nC5dF0gH2jK4lM6nP8qR0sT2uV',
  });
  ses = await startSesLocal(0);
  const built = await buildFunction('inbound-email');
  bundle = built;
  fn = await startFunction(
    built.file,
    lambdaEnvironment('inbound-email', {
      TABLE_NAME: tableName,
      PUBLIC_URL,
      TWILIO_SECRET_ARN: secretArn('legday/test/twilio'),
      TWILIO_FROM: LOCAL_SERVICE_NUMBER,
      MAIL_FROM: `legday <${SERVICE}>`,
      SES_CONFIGURATION_SET: 'legday-test',
      SES_EVENTS_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:legday-test-ses-events',
      LINK_SECRET_ARN: secretArn('legday/test/link-signing-key'),
      MAIL_BUCKET: BUCKET,
      MAIL_PREFIX: 'inbound/',
      LOG_LEVEL: 'INFO',
      AWS_ENDPOINT_URL_DYNAMODB: endpoint,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.url,
      AWS_ENDPOINT_URL_SES: ses.url,
      AWS_ENDPOINT_URL_S3: s3.url,
    }),
  );
});

afterAll(async () => {
  await fn?.stop();
  s3client?.destroy();
  await Promise.all([s3?.stop(), secrets?.stop(), ses?.stop()]);
  bundle?.remove();
  db.destroy();
});

type Verdict = 'PASS' | 'FAIL' | 'GRAY' | 'PROCESSING_FAILED';

/** A message as SES stores it (headers it adds included), put where the receipt rule puts it. */
async function arrive(from: string, subject: string, text: string) {
  const messageId = randomUUID().replace(/-/g, '').slice(0, 20) + 'o1d2e3f4g5h6i7j8k9l0';
  const date = systemClock.now();
  const raw = [
    `Return-Path: <${from}>`,
    `Received: from mail-ed1-f41.example.net (mail-ed1-f41.example.net [209.85.208.41]) by inbound-smtp.us-east-1.amazonaws.com with SMTP id ${messageId} for ${SERVICE}; ${date.toUTCString()}`,
    'X-SES-Spam-Verdict: PASS',
    'X-SES-Virus-Verdict: PASS',
    `DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=${from.split('@')[1]}; s=s1; h=from:to:subject:date; bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; b=dGVzdA==`,
    `From: Sam Lifter <${from}>`,
    `To: ${SERVICE}`,
    `Subject: ${subject}`,
    `Date: ${date.toUTCString()}`,
    `Message-ID: <${randomUUID()}@mail.example.net>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset="UTF-8"',
    '',
    text,
    '',
  ].join('\r\n');
  await s3client.send(new PutObjectCommand({ Bucket: BUCKET, Key: `inbound/${messageId}`, Body: raw }));
  return { messageId, from, subject, date };
}

/** The Lambda event SES's receipt rule sends (its action: Lambda, invoked after the S3 action). */
function sesEvent(mail: { messageId: string; from: string; subject: string; date: Date }, verdicts: Partial<Record<'spam' | 'virus' | 'spf' | 'dkim' | 'dmarc', Verdict>> = {}) {
  const v = (k: 'spam' | 'virus' | 'spf' | 'dkim' | 'dmarc') => ({ status: verdicts[k] ?? 'PASS' });
  return {
    Records: [
      {
        eventSource: 'aws:ses',
        eventVersion: '1.0',
        ses: {
          mail: {
            timestamp: mail.date.toISOString(),
            source: mail.from,
            messageId: mail.messageId,
            destination: [SERVICE],
            headersTruncated: false,
            headers: [
              { name: 'Return-Path', value: `<${mail.from}>` },
              { name: 'From', value: `Sam Lifter <${mail.from}>` },
              { name: 'To', value: SERVICE },
              { name: 'Subject', value: mail.subject },
            ],
            commonHeaders: { returnPath: mail.from, from: [`Sam Lifter <${mail.from}>`], date: mail.date.toUTCString(), to: [SERVICE], messageId: `<${mail.messageId}@mail.example.net>`, subject: mail.subject },
          },
          receipt: {
            timestamp: mail.date.toISOString(),
            processingTimeMillis: 412,
            recipients: [SERVICE],
            spamVerdict: v('spam'),
            virusVerdict: v('virus'),
            spfVerdict: v('spf'),
            dkimVerdict: v('dkim'),
            dmarcVerdict: v('dmarc'),
            action: { type: 'Lambda', functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:legday-test-inbound-email', invocationType: 'Event' },
          },
        },
      },
    ],
  };
}

async function repliesTo(address: string) {
  const { emails } = (await (await fetch(`${ses.url}/store`)).json()) as { emails: { from: string; destination: { to: string[] }; subject: string; body: { text?: string } }[] };
  return emails.filter((e) => e.destination.to.some((t) => t.toLowerCase().includes(address)));
}

describe('the inbound-email function, invoked by the SES receipt rule', () => {
  it('reads the stored message from S3, answers a stranger once through SES with the sign-up page, and records it', async () => {
    const from = `newcomer-${randomUUID().slice(0, 8)}@mail.example.net`;
    const mail = await arrive(from, 'legs done', 'Did squats today.');
    await fn.invoke(sesEvent(mail));
    const replies = await repliesTo(from);
    expect(replies, fn.output()).toHaveLength(1);
    expect(replies[0]!.from).toContain(SERVICE);
    expect(replies[0]!.body.text).toContain(PUBLIC_URL);
    const handled = await db.send(new GetCommand({ TableName: tableName, Key: { PK: inboundPk(`ses:${mail.messageId}`), SK: INBOUND_SK } }));
    expect(handled.Item).toBeDefined();
    // SES invokes again after a failure: the same message is not answered twice.
    await fn.invoke(sesEvent(mail));
    expect(await repliesTo(from)).toHaveLength(1);
  });

  it('drops spam: no answer, nothing recorded', async () => {
    const from = `spammer-${randomUUID().slice(0, 8)}@mail.example.net`;
    const mail = await arrive(from, 'legs done', 'Buy now.');
    await fn.invoke(sesEvent(mail, { spam: 'FAIL', dmarc: 'FAIL', spf: 'FAIL', dkim: 'FAIL' }));
    expect(await repliesTo(from)).toEqual([]);
    const handled = await db.send(new GetCommand({ TableName: tableName, Key: { PK: inboundPk(`ses:${mail.messageId}`), SK: INBOUND_SK } }));
    expect(handled.Item).toBeUndefined();
  });

  it('fails the invocation (so SES retries) when the message is not in the bucket', async () => {
    const mail = { messageId: 'missing0000000000000000000000000', from: 'someone@mail.example.net', subject: 'x', date: systemClock.now() };
    await expect(fn.invoke(sesEvent(mail))).rejects.toThrow(/NoSuchKey|does not exist/);
  });
});
