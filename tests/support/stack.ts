import { randomUUID } from 'node:crypto';
import type { StepWording } from '../../src/core/channel.ts';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { inject } from 'vitest';
import { createFixedClock, sleep, systemClock } from '../../src/adapters/clock.ts';
import { createTwilioSender } from '../../src/adapters/twilio/sender.ts';
import { sendDueReminders, type SweepOptions } from '../../src/use-cases/send-due-reminders.ts';
import { createDynamoClient, documentClient } from '../../src/adapters/dynamo/client.ts';
import { signTwilioRequest } from '../../src/adapters/twilio/signature.ts';
import { LOCAL_SERVICE_NUMBER, LOCAL_TWILIO_ACCOUNT_SID, LOCAL_TWILIO_AUTH_TOKEN, STATUS_CALLBACK_PATH, readLocalConfig } from '../../src/config.ts';
import { startLocalStack, type AppStack, type LocalStack, type MemoryStack } from '../../src/local/stack.ts';
import { userPk } from '../../src/adapters/dynamo/keys.ts';
import type { DueReminder, ReminderView } from '../../src/use-cases/ports.ts';

/** Leg day in these tests: a Monday evening, 18:00 UTC. */
export const LEG_DAY = new Date('2026-03-02T18:00:00.000Z');

/**
 * The real local stack (Hono app over HTTP, DynamoDB Local, Twilio stand-in, sweeper) on a fresh
 * table in the shared DynamoDB Local, with a clock that only moves when told.
 */
export async function startTestStack(
  env: Record<string, string> = {},
  start = LEG_DAY,
  endpoint = inject('dynamoEndpoint'),
  instrument?: (client: DynamoDBClient) => void,
): Promise<LocalStack> {
  return startLocalStack({
    // No send pacing in tests: the pacer is tested on its own, with a fake clock.
    config: readLocalConfig({ PORT: '0', SES_PORT: '0', LOG_LEVEL: 'SILENT', SEND_RATE_PER_SECOND: '0', ...env }),
    persist: false,
    sweepEveryMs: null,
    clock: createFixedClock(start),
    dynamo: { endpoint, port: Number(new URL(endpoint).port), stop: async () => {} },
    ...(instrument ? { instrument } : {}),
  });
}

/**
 * The same stack on the in-memory repositories: no DynamoDB Local, no Java, so use-case tests run
 * in milliseconds. The repositories keep DynamoDB's contract (tests/contracts); tests that read
 * raw items use startTestStack.
 */
export async function startMemoryStack(env: Record<string, string> = {}, start = LEG_DAY): Promise<MemoryStack> {
  return startLocalStack({
    config: readLocalConfig({ PORT: '0', SES_PORT: '0', LOG_LEVEL: 'SILENT', SEND_RATE_PER_SECOND: '0', ...env }),
    persist: false,
    sweepEveryMs: null,
    clock: createFixedClock(start),
    storage: 'memory',
  });
}

export async function post<T = unknown>(stack: AppStack, path: string, body: unknown): Promise<{ status: number; json: T }> {
  const res = await fetch(stack.url + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as T };
}

export async function text(stack: AppStack, from: string, body: string): Promise<string | null> {
  const res = await post<{ reply: string | null; error?: string }>(stack, '/dev/sms', { from, body });
  if (res.status !== 200) throw new Error(`/dev/sms answered ${res.status}: ${res.json.error}`);
  return res.json.reply;
}

/** POST /dev/clock: replays every moment in between (or, with `outage`, jumps and sweeps once). */
export async function advance(stack: AppStack, minutes: number, opts: { outage?: boolean } = {}) {
  const res = await post<{ now: string; sent: { to: string; stepId: string; body: string; sentAt: string }[] }>(stack, '/dev/clock', {
    advanceMinutes: minutes,
    ...(opts.outage ? { outage: true } : {}),
  });
  return res.json;
}

export async function outbox(stack: AppStack, to?: string) {
  const res = await fetch(stack.url + '/dev/outbox' + (to ? `?to=${encodeURIComponent(to)}` : ''));
  // Scheduled texts also name their step, and what their delivery report said.
  type Shown = { to: string; channel: string; body: string; sentAt: string; stepId?: string; delivery?: string; deliveryError?: string };
  return ((await res.json()) as { messages: Shown[] }).messages;
}

/** A person's reminders through the port, in each series their profile names (the last 8 leg days, the pain track). */
export async function remindersOf(stack: AppStack, userId: string): Promise<(ReminderView & { series: string })[]> {
  const user = await stack.store.getUser(userId);
  const series = [...(user?.recent.map((c) => c.id) ?? []), ...(user?.painTrack ? [user.painTrack.id] : [])];
  return (await Promise.all(series.map(async (s) => (await stack.store.listReminders(userId, s)).map((r) => ({ ...r, series: s }))))).flat();
}

/**
 * Every reminder of a person still pending, whatever leg day it belongs to: the ports read one
 * series at a time, and a reminder left behind in a series the profile no longer names is exactly
 * what a lost race would leave, so this reads the memory store's view of all of them.
 */
export const pendingOf = (stack: MemoryStack, userId: string) => stack.store.written(userId).reminders.filter((r) => r.status === 'pending');

/**
 * Everything stored for one person on the in-memory repositories, tagged by kind as the table's
 * items are: the profile (through getUser), their reminders and history (MemoryStore.written).
 * For facts about the whole record: nothing was written, nothing changed.
 */
export async function recordsOf(stack: MemoryStack, userId: string): Promise<Record<string, unknown>[]> {
  const user = await stack.store.getUser(userId);
  const { reminders, history } = stack.store.written(userId);
  return [...(user ? [{ type: 'user', ...user }] : []), ...history, ...reminders.map((r) => ({ type: 'reminder', ...r }))];
}

/** A person's entries in the due index (findDueReminders, however far ahead): what the sweeper can still find. */
export async function dueIndexOf(stack: AppStack, userId: string): Promise<DueReminder[]> {
  return (await stack.store.findDueReminders(new Date('9999-12-31T00:00:00.000Z'), 100_000)).filter((r) => r.userId === userId);
}

/** Every item stored under one number, straight from the table. */
export async function itemsOf(stack: LocalStack, phone: string): Promise<Record<string, unknown>[]> {
  const db = documentClient(createDynamoClient({ region: 'us-east-1', endpoint: stack.dynamo.endpoint }));
  const res = await db.send(
    new QueryCommand({ TableName: stack.tableName, KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': userPk(phone) } }),
  );
  db.destroy();
  return res.Items ?? [];
}

let sidCounter = 0;
/** A unique, well-formed Twilio MessageSid. */
export const newMessageSid = () => 'SM' + (++sidCounter).toString(16).padStart(8, '0') + randomUUID().replace(/-/g, '').slice(0, 24);

/** Posts a form-encoded webhook the way Twilio does, signed with `authToken` over `signedUrl`. */
export async function postWebhook(
  stack: AppStack,
  params: Record<string, string>,
  opts: { authToken?: string; signedUrl?: string; signature?: string | null; rawBody?: string } = {},
): Promise<Response> {
  const path = '/webhooks/twilio/sms';
  const signature =
    opts.signature === undefined
      ? signTwilioRequest(opts.authToken ?? LOCAL_TWILIO_AUTH_TOKEN, opts.signedUrl ?? stack.publicUrl + path, params)
      : opts.signature;
  return fetch(stack.url + path, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(signature === null ? {} : { 'x-twilio-signature': signature }),
    },
    body: opts.rawBody ?? new URLSearchParams(params).toString(),
  });
}

export const smsParams = (from: string, body: string, messageSid = newMessageSid()) => ({
  AccountSid: LOCAL_TWILIO_ACCOUNT_SID,
  MessageSid: messageSid,
  From: from,
  To: LOCAL_SERVICE_NUMBER,
  Body: body,
  NumMedia: '0',
});

const quietLog = { info() {}, warn() {}, error() {} };

/**
 * A sweeper of its own over the stack's table, sending through the real twilio client to the
 * stack's stand-in, asking for status callbacks to the stack's app: several of these can race
 * each other, as overlapping Lambda invocations would.
 */
export function sweeperFor(stack: AppStack, timeoutMs = 2000, wording?: StepWording) {
  const sender = createTwilioSender({
    accountSid: LOCAL_TWILIO_ACCOUNT_SID,
    authToken: LOCAL_TWILIO_AUTH_TOKEN,
    from: LOCAL_SERVICE_NUMBER,
    apiBaseUrl: stack.twilio!.url,
    timeoutMs,
    // As deployed: every text asks for delivery reports, which the stand-in posts to the stack's app.
    statusCallbackUrl: stack.publicUrl + STATUS_CALLBACK_PATH,
  });
  const deps = {
    store: stack.store,
    sender,
    email: stack.email,
    log: quietLog,
    metrics: stack.metrics,
    newId: randomUUID,
    wallClock: systemClock,
    sleep,
    defaultTimezone: 'America/New_York',
    // The content files' wording unless a test words the steps its own way.
    ...(wording ? { wording } : {}),
  };
  return (now: Date, opts: Omit<SweepOptions, 'now'> = {}) => sendDueReminders(deps, { now, ...opts });
}
