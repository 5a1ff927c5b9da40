import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { createAdjustableClock, sleep, systemClock, type AdjustableClock } from '../adapters/clock.ts';
import { createLocalMetrics } from '../adapters/metrics.ts';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createDynamoClient, documentClient } from '../adapters/dynamo/client.ts';
import { createDynamoStore } from '../adapters/dynamo/store.ts';
import type { OnBrokenItem } from '../adapters/dynamo/reminders.ts';
import { createMemoryStore, type MemoryStore } from '../adapters/memory/store.ts';
import { ensureTable } from '../adapters/dynamo/table.ts';
import { createLog } from '../adapters/log.ts';
import { createTwilioSender } from '../adapters/twilio/sender.ts';
import { createEmailDelivery } from '../adapters/email/delivery.ts';
import { parseEmail } from '../adapters/email/parse.ts';
import { createLinkSigner } from '../adapters/link-tokens.ts';
import { createSesSender } from '../adapters/ses/sender.ts';
import { createLocalSnsSigner, createSnsVerifier } from '../adapters/sns/verify.ts';
import { LOCAL_SES_EVENTS_TOPIC, STATUS_CALLBACK_PATH, mailAddress, type LocalConfig } from '../config.ts';
import { handleInboundEmail, type InboundEmail, type InboundEmailResult } from '../use-cases/handle-inbound-email.ts';
import { createApp } from '../http/app.ts';
import { devRoutes } from './dev-routes.ts';
import type { SignUpRouteDeps } from '../http/routes/sign-up.ts';
import type { EmailDelivery, Store } from '../use-cases/ports.ts';
import { sendDueReminders, type SweepResult } from '../use-cases/send-due-reminders.ts';
import { freePort, startDynamoLocal, type DynamoLocal } from './dynamo-local.ts';
import { createOutbox, type Outbox } from './outbox.ts';
import { recordingEmailSender } from './recording-email-sender.ts';
import { PortInUseError, startSesLocal, type SesLocal } from './ses-local.ts';
import { startTwilioStandin, type TwilioStandin } from './twilio-standin.ts';

export const LOCAL_TABLE = 'legday-local';

/** The stack whatever it stores in: the app, the stand-ins, the sweeper. */
export interface AppStack {
  url: string;
  publicUrl: string;
  /** dynamodb: DynamoDB Local with a table of its own; memory: the in-memory repositories (no Java). */
  storage: 'dynamodb' | 'memory';
  tableName: string | null;
  dynamo: DynamoLocal | null;
  twilio: TwilioStandin | null;
  ses: SesLocal;
  /** Signs simulated SES bounce and complaint events the way SNS signs real ones. */
  sns: ReturnType<typeof createLocalSnsSigner>;
  /** An email arriving as SES would hand it to the inbound-email Lambda (raw MIME plus verdicts). */
  receiveEmail(mail: InboundEmail): Promise<InboundEmailResult>;
  email: EmailDelivery;
  clock: AdjustableClock;
  outbox: Outbox;
  store: Store;
  metrics: ReturnType<typeof createLocalMetrics>;
  sweep(now: Date): Promise<SweepResult>;
  stop(): Promise<void>;
}

/** On DynamoDB Local (the default, and `npm start`). */
export interface LocalStack extends AppStack {
  storage: 'dynamodb';
  tableName: string;
  dynamo: DynamoLocal;
}

/** On the in-memory repositories: no DynamoDB Local, no Java. */
export interface MemoryStack extends AppStack {
  storage: 'memory';
  tableName: null;
  dynamo: null;
  /** Also shows tests what no port reads back (MemoryStore.written). */
  store: MemoryStore;
}

export interface LocalStackOptions {
  config: LocalConfig;
  /** Keep data on disk (npm start); tests run in memory. */
  persist: boolean;
  /** How often the built-in sweeper runs; null turns it off (tests drive /dev/clock). */
  sweepEveryMs: number | null;
  /** Reuse an already running DynamoDB Local (tests share one); each stack then gets its own table. */
  dynamo?: DynamoLocal;
  /** Defaults to real time plus whatever /dev/clock adds; tests pass a fixed one. */
  clock?: AdjustableClock;
  /** Called with the DynamoDB client before use (the benchmark and tests count its calls). */
  instrument?: (client: DynamoDBClient) => void;
  /**
   * Who posted the sign-up form, for its per-client cap. Locally every request comes from
   * 127.0.0.1, so by default there is no per-client cap; tests pass their own.
   */
  clientOf?: SignUpRouteDeps['clientOf'];
  /**
   * Where data lives: DynamoDB Local (default), or the in-memory repositories, which keep the
   * same contract (tests/contracts) and start in no time without Java. Memory cannot persist.
   */
  storage?: 'dynamodb' | 'memory';
}

/** The whole service on one machine: DynamoDB Local, the Twilio stand-in, the local SES, the app and the sweeper. */
export async function startLocalStack(opts: LocalStackOptions & { storage: 'memory' }): Promise<MemoryStack>;
export async function startLocalStack(opts: LocalStackOptions & { storage?: 'dynamodb' }): Promise<LocalStack>;
export async function startLocalStack(opts: LocalStackOptions): Promise<LocalStack | MemoryStack> {
  const { config } = opts;
  if (opts.storage === 'memory' && (opts.persist || opts.dynamo || opts.instrument)) {
    throw new Error('storage "memory" keeps nothing on disk and has no DynamoDB client: persist, dynamo and instrument do not apply');
  }
  const log = createLog({ serviceName: 'legday-local', level: config.logLevel });
  const dataDir = opts.persist ? config.dataDir : null;
  if (dataDir) mkdirSync(dataDir, { recursive: true });

  // The local SES first: its fixed port is the likeliest to be taken, and nothing is running yet to clean up.
  const ses = await startSesLocal(config.sesPort);
  const storage = await openStorage(opts, dataDir, (err) => log.error('broken reminder skipped', { error: err.message })).catch(async (err: unknown) => {
    await ses.stop();
    throw err;
  });
  const { store } = storage;

  const clock = opts.clock ?? createAdjustableClock();
  const metrics = createLocalMetrics();
  const outbox = createOutbox(dataDir ? join(dataDir, 'outbox.jsonl') : undefined);
  const twilio =
    config.twilio.mode === 'standin'
      ? await startTwilioStandin({ accountSid: config.twilio.accountSid, authToken: config.twilio.authToken, now: clock.now })
      : null;
  const emailSender = recordingEmailSender(
    createSesSender({ region: 'us-east-1', from: config.mailFrom, endpoint: ses.url, timeoutMs: 3000, now: clock.now }),
    outbox,
    clock,
  );
  // Tests ask for port 0; pick the port up front so PUBLIC_URL (and so every signature) is known.
  const port = config.port === 0 ? await freePort() : config.port;
  const url = `http://localhost:${port}`;
  const publicUrl = config.publicUrl === 'http://localhost:0' ? url : config.publicUrl;
  const sender = createTwilioSender({
    accountSid: config.twilio.accountSid,
    authToken: config.twilio.authToken,
    // A Messaging Service when one is configured (its number pool, sticky sender), else the one number.
    from: config.twilio.messagingServiceSid ?? config.twilio.from,
    statusCallbackUrl: `${publicUrl}${STATUS_CALLBACK_PATH}`,
    ...(twilio ? { apiBaseUrl: twilio.url, timeoutMs: 2000 } : {}),
  });
  const signer = createLinkSigner(config.linkSecret);
  const email = createEmailDelivery({ sender: emailSender, signer, publicUrl });
  const sns = createLocalSnsSigner(LOCAL_SES_EVENTS_TOPIC);
  // What a text and an email need alike.
  const inboundDeps = { store, now: clock.now, newId: randomUUID, log, metrics, defaultTimezone: config.defaultTimezone, limits: config.limits };
  const receiveEmail = (mail: InboundEmail) => handleInboundEmail({ ...inboundDeps, email, parse: parseEmail }, mail);

  // One sweep at a time, so a /dev/clock sweep reports everything that fell due.
  let running: Promise<unknown> = Promise.resolve();
  const sweep = (now: Date): Promise<SweepResult> => {
    const next = running.then(async () => {
      const result = await sendDueReminders(
        { store, sender, email, log, metrics, newId: randomUUID, wallClock: systemClock, sleep, defaultTimezone: config.defaultTimezone },
        { now, ratePerSecond: config.sendRatePerSecond },
      );
      // Emails are noted by the recording sender; texts from the sweeper are noted here.
      for (const s of result.sent.filter((r) => r.channel === 'sms')) {
        outbox.record({ to: s.to, channel: 'sms', body: s.body, sentAt: s.sentAt, kind: 'scheduled', providerId: s.providerId, series: s.series, stepId: s.stepId });
      }
      return result;
    });
    running = next.catch(() => undefined);
    return next;
  };

  const app = createApp({
    log,
    signUp: {
      signUp: { store, email, now: clock.now, log, metrics, enrolmentsPerHour: config.limits.enrolmentsTotal, confirmationsPerHour: config.limits.confirmationEmailsTotal },
      limits: config.limits,
      serviceNumber: config.twilio.from,
      serviceEmail: mailAddress(config.mailFrom),
      ...(opts.clientOf ? { clientOf: opts.clientOf } : {}),
    },
    emailLinks: { store, log, now: clock.now, signer },
    sesEvents: {
      store,
      log,
      metrics,
      now: clock.now,
      verify: createSnsVerifier({ topicArn: sns.topicArn, certificate: sns.certificate }),
      // Only our own signer can produce a valid message here, and it never asks to subscribe.
      confirmSubscription: async (subscribeUrl) => log.info('SNS subscription confirmation ignored locally', { subscribeUrl }),
    },
    webhook: {
      sms: inboundDeps,
      authToken: config.twilio.authToken,
      publicUrl,
    },
  });
  const dev = devRoutes(
    {
      clock,
      store,
      outbox,
      sweep,
      authToken: config.twilio.authToken,
      publicUrl,
      serviceNumber: config.twilio.from,
      accountSid: config.twilio.accountSid,
      newId: randomUUID,
      receiveEmail,
      serviceEmail: mailAddress(config.mailFrom),
      sesViewerUrl: ses.url,
    },
    (req) => app.fetch(req),
  );
  app.route('/dev', dev);


  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port, hostname: '127.0.0.1' }, () => resolve(s));
    s.once('error', reject);
  }).catch(async (err: unknown) => {
    // Leave nothing running behind a failed start.
    await twilio?.stop();
    await ses.stop();
    await storage.close();
    throw new PortInUseError(`Could not serve the app on port ${port} (${String(err)}). Set PORT to a free port.`);
  });

  const timer =
    opts.sweepEveryMs === null
      ? null
      : setInterval(() => {
          sweep(clock.now()).catch((err) => log.error('scheduled sweep failed', { error: String(err) }));
        }, opts.sweepEveryMs);

  const where =
    storage.kind === 'memory'
      ? ({ storage: 'memory', tableName: null, dynamo: null, store: storage.store } as const)
      : ({ storage: 'dynamodb', tableName: storage.tableName, dynamo: storage.dynamo, store: storage.store } as const);
  return {
    url,
    publicUrl,
    ...where,
    twilio,
    ses,
    sns,
    receiveEmail,
    email,
    clock,
    outbox,
    metrics,
    sweep,
    async stop() {
      if (timer) clearInterval(timer);
      await new Promise<void>((r) => server.close(() => r()));
      await running;
      await twilio?.stop();
      await ses.stop();
      await storage.close();
    },
  };
}

type Storage =
  | { kind: 'memory'; store: MemoryStore; close(): Promise<void> }
  | { kind: 'dynamodb'; store: Store; tableName: string; dynamo: DynamoLocal; close(): Promise<void> };

async function openStorage(opts: LocalStackOptions, dataDir: string | null, onBrokenItem: OnBrokenItem): Promise<Storage> {
  if (opts.storage === 'memory') return { kind: 'memory', store: createMemoryStore(), close: async () => {} };
  const dynamo = opts.dynamo ?? (await startDynamoLocal(dataDir ? { dataDir: join(dataDir, 'dynamodb') } : {}));
  const ownsDynamo = !opts.dynamo;
  const tableName = opts.dynamo ? `legday-${randomUUID().slice(0, 8)}` : LOCAL_TABLE;
  const raw = createDynamoClient({ region: 'us-east-1', endpoint: dynamo.endpoint });
  const close = async () => {
    raw.destroy();
    if (ownsDynamo) await dynamo.stop();
  };
  try {
    await ensureTable(raw, tableName);
  } catch (err) {
    await close();
    throw err;
  }
  opts.instrument?.(raw);
  return { kind: 'dynamodb', store: createDynamoStore(documentClient(raw), tableName, { onBrokenItem }), tableName, dynamo, close };
}
