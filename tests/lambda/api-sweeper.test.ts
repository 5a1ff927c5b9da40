import { randomUUID } from 'node:crypto';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import twilio from 'twilio';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { systemClock } from '../../src/adapters/clock.ts';
import { createDynamoClient, documentClient } from '../../src/adapters/dynamo/client.ts';
import { userPk } from '../../src/adapters/dynamo/keys.ts';
import { ensureTable } from '../../src/adapters/dynamo/table.ts';
import { LOCAL_SERVICE_NUMBER, LOCAL_TWILIO_ACCOUNT_SID, STATUS_CALLBACK_PATH } from '../../src/config.ts';
import { secretArn, startSecretsStandin, type SecretsStandin } from '../../src/local/secrets-standin.ts';
import { startSesLocal, type SesLocal } from '../../src/local/ses-local.ts';
import { startTwilioStandin, type TwilioStandin } from '../../src/local/twilio-standin.ts';
import { textOf } from '../support/reminders.ts';
import { buildFunction, httpApiEvent, lambdaEnvironment, startFunction, type HttpApiResult, type RunningFunction } from '../support/lambda.ts';

/**
 * The api and sweeper bundles, built as CDK builds them, run as Lambda runs them: API Gateway
 * HTTP API events for the api, an EventBridge schedule for the sweeper, against DynamoDB Local,
 * with Secrets Manager, SES and Twilio answered by local stand-ins.
 */
const PUBLIC_URL = 'https://abc123defg.execute-api.us-east-1.amazonaws.com';
const AUTH_TOKEN = 'f0e1d2c3b4a5968778695a4b3c2d1e0f';
const LINK_KEY = 'Q7m2Xk9pL4vR8sT1wY6zB3nC5dF0gH2jK4lM6nP8qR0sT2uV';
const tableName = `legday-lambda-${randomUUID().slice(0, 8)}`;
const endpoint = inject('dynamoEndpoint');
const db = documentClient(createDynamoClient({ region: 'us-east-1', endpoint }));

let secrets: SecretsStandin;
let ses: SesLocal;
let sms: TwilioStandin;
let api: RunningFunction;
let sweeper: RunningFunction;
let apiFile: string;
let fnEnv: Record<string, string>;
const bundles: { remove(): void }[] = [];

beforeAll(async () => {
  const raw = createDynamoClient({ region: 'us-east-1', endpoint });
  await ensureTable(raw, tableName);
  raw.destroy();
  // As the stacks store them: the operator's JSON for Twilio, a generated 48-character key for links.
  secrets = await startSecretsStandin({
    [secretArn('legday/test/twilio')]: JSON.stringify({ accountSid: LOCAL_TWILIO_ACCOUNT_SID, authToken: AUTH_TOKEN }),
    [secretArn('legday/test/link-signing-key')]: LINK_KEY,
  });
  ses = await startSesLocal(0);
  sms = await startTwilioStandin({ accountSid: LOCAL_TWILIO_ACCOUNT_SID, authToken: AUTH_TOKEN, now: systemClock.now });
  // Twilio would call the public URL back with delivery reports; nothing here answers it.
  sms.reportDelivery = false;
  const [apiBundle, sweeperBundle] = await Promise.all([buildFunction('api'), buildFunction('sweeper')]);
  bundles.push(apiBundle, sweeperBundle);
  apiFile = apiBundle.file;
  fnEnv = {
    TABLE_NAME: tableName,
    PUBLIC_URL,
    TWILIO_SECRET_ARN: secretArn('legday/test/twilio'),
    TWILIO_FROM: LOCAL_SERVICE_NUMBER,
    MAIL_FROM: 'legday <coach@legday.example.com>',
    SES_CONFIGURATION_SET: 'legday-test',
    SES_EVENTS_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:legday-test-ses-events',
    LINK_SECRET_ARN: secretArn('legday/test/link-signing-key'),
    DEFAULT_TIMEZONE: 'America/New_York',
    LOG_LEVEL: 'INFO',
    AWS_ENDPOINT_URL_DYNAMODB: endpoint,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.url,
    AWS_ENDPOINT_URL_SES: ses.url,
  };
  [api, sweeper] = await Promise.all([
    startFunction(apiBundle.file, lambdaEnvironment('api', fnEnv)),
    startFunction(sweeperBundle.file, lambdaEnvironment('sweeper', { ...fnEnv, TWILIO_API_URL: sms.url })),
  ]);
});

afterAll(async () => {
  await Promise.all([api?.stop(), sweeper?.stop()]);
  await Promise.all([secrets?.stop(), ses?.stop(), sms?.stop()]);
  for (const b of bundles) b.remove();
  db.destroy();
});

const itemsOf = async (phone: string) =>
  (await db.send(new QueryCommand({ TableName: tableName, KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': userPk(phone) } }))).Items ?? [];

/** Twilio's inbound-SMS webhook as API Gateway hands it to the function: a base64 form body. */
function twilioWebhook(params: Record<string, string>, signature: string) {
  return httpApiEvent({
    method: 'POST',
    url: `${PUBLIC_URL}/webhooks/twilio/sms`,
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature, 'i-twilio-idempotency-token': randomUUID() },
    body: new URLSearchParams(params).toString(),
    sourceIp: '54.172.60.1',
    time: systemClock.now(),
  });
}
const smsFrom = (from: string, body: string) => ({
  ToCountry: 'US',
  SmsMessageSid: `SM${randomUUID().replace(/-/g, '')}`,
  NumMedia: '0',
  From: from,
  To: LOCAL_SERVICE_NUMBER,
  Body: body,
  MessageSid: `SM${randomUUID().replace(/-/g, '')}`,
  AccountSid: LOCAL_TWILIO_ACCOUNT_SID,
  NumSegments: '1',
  ApiVersion: '2010-04-01',
});

describe('the api function, invoked by API Gateway (HTTP API, payload 2.0)', () => {
  it('answers the health route', async () => {
    const res = await api.invoke<HttpApiResult>(httpApiEvent({ method: 'GET', url: `${PUBLIC_URL}/healthz`, headers: { 'user-agent': 'curl/8.5.0' }, time: systemClock.now() }));
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ ok: true });
  });

  it('takes a check-in texted through Twilio: signature checked over the public URL, stored, answered with TwiML', async () => {
    const phone = '+15555550101';
    const params = smsFrom(phone, 'legs done');
    const signature = twilio.getExpectedTwilioSignature(AUTH_TOKEN, `${PUBLIC_URL}/webhooks/twilio/sms`, params);
    const event = twilioWebhook(params, signature);
    expect(event.isBase64Encoded).toBe(true);
    const res = await api.invoke<HttpApiResult>(event);
    expect(res.statusCode, api.output()).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/xml/);
    const twiml = res.isBase64Encoded ? Buffer.from(res.body, 'base64').toString() : res.body;
    expect(twiml).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?><Response><Message>[^<]+<\/Message><\/Response>$/);
    const items = await itemsOf(phone);
    expect(items.filter((i) => i.type === 'checkin')).toHaveLength(1);
    expect(items.filter((i) => i.type === 'reminder' && i.status === 'pending').length).toBeGreaterThan(0);
  });

  it('refuses a webhook whose signature is not Twilio\'s (403) and stores nothing', async () => {
    const phone = '+15555550102';
    const params = smsFrom(phone, 'legs done');
    const forged = twilio.getExpectedTwilioSignature('not-the-auth-token-0000000000000', `${PUBLIC_URL}/webhooks/twilio/sms`, params);
    const res = await api.invoke<HttpApiResult>(twilioWebhook(params, forged));
    expect(res.statusCode).toBe(403);
    // Signed for another URL (the function's own host, not the public one): refused too.
    const wrongUrl = twilio.getExpectedTwilioSignature(AUTH_TOKEN, 'https://legday-test-api.lambda-url.us-east-1.on.aws/webhooks/twilio/sms', params);
    expect((await api.invoke<HttpApiResult>(twilioWebhook(params, wrongUrl))).statusCode).toBe(403);
    expect(await itemsOf(phone)).toEqual([]);
  });

  it('cold-started while Secrets Manager is down or hung: 503 (Twilio retries) and nothing stored; once it answers, the same text is taken', async () => {
    const outage = await startSecretsStandin({
      [secretArn('legday/test/twilio')]: JSON.stringify({ accountSid: LOCAL_TWILIO_ACCOUNT_SID, authToken: AUTH_TOKEN }),
      [secretArn('legday/test/link-signing-key')]: LINK_KEY,
    });
    outage.down = true;
    // The secrets are fetched in the background of the cold start: init itself does not fail.
    const cold = await startFunction(apiFile, lambdaEnvironment('api', { ...fnEnv, AWS_ENDPOINT_URL_SECRETS_MANAGER: outage.url }));
    try {
      const phone = '+15555550103';
      const params = smsFrom(phone, 'legs done');
      const event = twilioWebhook(params, twilio.getExpectedTwilioSignature(AUTH_TOKEN, `${PUBLIC_URL}/webhooks/twilio/sms`, params));
      const refused = await cold.invoke<HttpApiResult>(event);
      expect(refused.statusCode, cold.output()).toBe(503);
      expect(await itemsOf(phone)).toEqual([]);
      // Hung rather than down: the read times out and the answer is a 503 again, not a request held until Lambda's timeout.
      outage.down = false;
      outage.hang = true;
      expect((await cold.invoke<HttpApiResult>(event, { timeoutMs: 15_000 })).statusCode, cold.output()).toBe(503);
      outage.hang = false;
      const taken = await cold.invoke<HttpApiResult>(event);
      expect(taken.statusCode, cold.output()).toBe(200);
      expect((await itemsOf(phone)).filter((i) => i.type === 'checkin')).toHaveLength(1);
      expect(cold.output()).toContain('secrets could not be loaded');
      expect(cold.output()).not.toContain(AUTH_TOKEN);
    } finally {
      await cold.stop();
      await outage.stop();
    }
  });

  it('takes the sign-up form posted by a browser and sends the confirmation email through SES', async () => {
    const address = `lifter-${randomUUID().slice(0, 8)}@example.com`;
    const form = new URLSearchParams({ channels: 'email', phone: '', email: address, timezone: 'Europe/London', consent: 'yes' }).toString();
    const res = await api.invoke<HttpApiResult>(
      httpApiEvent({
        method: 'POST',
        url: `${PUBLIC_URL}/`,
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64)', origin: PUBLIC_URL, referer: `${PUBLIC_URL}/` },
        body: form,
        time: systemClock.now(),
      }),
    );
    expect(res.statusCode, api.output()).toBe(200);
    const html = res.isBase64Encoded ? Buffer.from(res.body, 'base64').toString() : res.body;
    expect(html).toContain('Check your inbox');
    const { emails } = (await (await fetch(`${ses.url}/store`)).json()) as { emails: { destination: { to: string[] }; body: { text?: string } }[] };
    const mine = emails.filter((e) => e.destination.to.some((t) => t.includes(address)));
    expect(mine).toHaveLength(1);
    expect(mine[0]!.body.text).toContain(`${PUBLIC_URL}/email/confirm?t=`);
  });
});

describe('the sweeper function, invoked by the EventBridge schedule', () => {
  it('sends a due reminder through Twilio and marks it sent', async () => {
    const phone = '+15555550103';
    const params = smsFrom(phone, 'legs done');
    const checkIn = await api.invoke<HttpApiResult>(twilioWebhook(params, twilio.getExpectedTwilioSignature(AUTH_TOKEN, `${PUBLIC_URL}/webhooks/twilio/sms`, params)));
    expect(checkIn.statusCode).toBe(200);
    const pending = (await itemsOf(phone)).filter((i) => i.type === 'reminder' && i.status === 'pending').sort((a, b) => String(a.dueAt).localeCompare(String(b.dueAt)));
    const first = pending[0]!;
    // The minute after the first one falls due: EventBridge fires on the minute.
    const due = new Date(first.dueAt as string);
    const time = new Date(Math.floor(due.getTime() / 60_000) * 60_000 + 60_000).toISOString().replace('.000Z', 'Z');
    const result = await sweeper.invoke<{ sent: number }>(
      {
        version: '0',
        id: randomUUID(),
        'detail-type': 'Scheduled Event',
        source: 'aws.events',
        account: '123456789012',
        time,
        region: 'us-east-1',
        resources: ['arn:aws:events:us-east-1:123456789012:rule/legday-test-sweep'],
        detail: {},
      },
      { timeoutMs: 60_000 },
    );
    expect(result.sent, sweeper.output()).toBeGreaterThanOrEqual(1);
    const texted = sms.messages.filter((m) => m.to === phone);
    expect(texted.map((m) => m.body)).toEqual([textOf(first)]);
    expect(texted[0]!.from).toBe(LOCAL_SERVICE_NUMBER);
    // Delivery reports asked for at the public URL, as deployed.
    expect(texted[0]!.statusCallback).toMatch(new RegExp(`^${PUBLIC_URL.replace(/[.]/g, '\\.')}${STATUS_CALLBACK_PATH}\\?u=`));
    const after = (await itemsOf(phone)).find((i) => i.SK === first.SK)!;
    expect(after.status).toBe('sent');
    // Sent at most once: the next minute finds nothing more for this number's first step.
    await sweeper.invoke({ version: '0', id: randomUUID(), 'detail-type': 'Scheduled Event', source: 'aws.events', account: '123456789012', time, region: 'us-east-1', resources: ['arn:aws:events:us-east-1:123456789012:rule/legday-test-sweep'], detail: {} });
    expect(sms.messages.filter((m) => m.to === phone)).toHaveLength(1);
  });
});

describe('what the functions write to CloudWatch', () => {
  it('holds no secret and no full phone number', () => {
    const logs = api.output() + sweeper.output();
    expect(logs).toContain('"service":"legday-api"');
    for (const secret of [AUTH_TOKEN, LINK_KEY, '+15555550101', '+15555550103']) expect(logs).not.toContain(secret);
  });
});
