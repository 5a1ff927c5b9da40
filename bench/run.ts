/**
 * `npm run bench`: how lean legday is, measured on this machine. Every timing is a ratio to a
 * baseline measured in the same run (medians of repeated runs), because machines are noisy; counts
 * (round trips, capacity, bytes, segments) are exact. Prints a table and writes bench/results.json.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { gzipSync } from 'node:zlib';
import { BatchWriteItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { serve } from '@hono/node-server';
import autocannon from 'autocannon';
import { build, type Plugin } from 'esbuild';
import { Hono } from 'hono';
import { createFixedClock, sleep, systemClock } from '../src/adapters/clock.ts';
import { countCalls } from '../src/adapters/dynamo/call-counter.ts';
import { createDynamoClient, documentClient } from '../src/adapters/dynamo/client.ts';
import { PROFILE_SK, dueShard, reminderSk, userPk } from '../src/adapters/dynamo/keys.ts';
import { createDynamoStore } from '../src/adapters/dynamo/store.ts';
import { ensureTable } from '../src/adapters/dynamo/table.ts';
import { createLocalMetrics } from '../src/adapters/metrics.ts';
import { signTwilioRequest } from '../src/adapters/twilio/signature.ts';
import { createTwilioSender } from '../src/adapters/twilio/sender.ts';
import { LOCAL_SERVICE_NUMBER, LOCAL_TWILIO_ACCOUNT_SID, LOCAL_TWILIO_AUTH_TOKEN, readLocalConfig } from '../src/config.ts';
import { LOAD_TEXT, PLAN, SMS, STEP_TEXT, render } from '../src/content/index.ts';
import { segmentCount } from '../src/core/segments.ts';
import { startDynamoLocal, freePort, type DynamoLocal } from '../src/local/dynamo-local.ts';
import { startLocalStack } from '../src/local/stack.ts';
import { startSecretsStandin, secretArn } from '../src/local/secrets-standin.ts';
import { startTwilioStandin } from '../src/local/twilio-standin.ts';
import type { Log } from '../src/use-cases/ports.ts';
import { sendDueReminders } from '../src/use-cases/send-due-reminders.ts';
import { BUNDLE, EXTERNAL_MODULES, RUNTIME_NODE_OPTIONS, esbuildOptions } from '../cdk/bundling.ts';
import { measureRoundTrips } from './operations.ts';
import { SWEEP_BUDGET_MS, lifters, maxLifters, simulate, type CapacityRun } from './capacity.ts';
import { percentile } from '../src/use-cases/send-due-reminders.ts';

const execFileAsync = promisify(execFile);
/** Whether the functions carry the AWS SDK in their bundle or use the runtime's copy: as cdk/bundling.ts says. */
const AWS_SDK_BUNDLED = !EXTERNAL_MODULES.includes('@aws-sdk/*');
const ROOT = new URL('..', import.meta.url).pathname;
const OUT = join(ROOT, 'bench', '.out');
const quiet: Log = { info() {}, warn() {}, error() {} };
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;
const LEG_DAY = new Date('2026-03-02T18:00:00Z');
const results: Record<string, unknown> = {};
const log = (s: string) => process.stdout.write(s + '\n');

// ---------------------------------------------------------------------------------------------
// 1. Cold start: bundles built as CDK builds them, imported by a fresh Node process.
/**
 * The reference the api is judged against: Hono plus the DynamoDB document client, the client
 * constructed at init as a real handler would, built with the same options as every function.
 */
const REFERENCE = `import { Hono } from 'hono';
import { handle } from 'hono/aws-lambda';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } });
const app = new Hono();
app.get('/:id', async (c) => c.json((await doc.send(new GetCommand({ TableName: process.env.TABLE_NAME, Key: { pk: c.req.param('id') } }))).Item ?? null));
export const handler = handle(app);
`;

/**
 * The reference plus what the api does at init besides its code: read its two secrets (Twilio's
 * credentials, the link key) from Secrets Manager, as functions/api.ts does. The api against this
 * says what its code weighs; against the plain reference, what the whole init costs.
 */
const REFERENCE_WITH_SECRETS = `${REFERENCE}import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
await Promise.all([getSecret(process.env.TWILIO_SECRET_ARN, { maxAge: 3600 }), getSecret(process.env.LINK_SECRET_ARN, { maxAge: 3600 })]);
`;

/**
 * Where the api's init goes: each part of what functions/api.ts loads, alone, built the same way
 * (so the rows add up roughly, the Node start-up aside, to the api's own).
 */
const API_PARTS: Record<string, string> = {
  'api part: AWS SDK clients': `import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SESClient } from '@aws-sdk/client-ses';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
export const clients = [DynamoDBDocumentClient.from(new DynamoDBClient({})), new SESClient({}), new SecretsManagerClient({})];
`,
  'api part: coach core': `export { respond } from '${ROOT}src/core/respond.ts';
`,
  'api part: app (core incl.)': `export { createApp } from '${ROOT}src/http/app.ts';
`,
  'api part: Powertools': `import { createLog } from '${ROOT}src/adapters/log.ts';
import { createCloudWatchMetrics } from '${ROOT}src/adapters/metrics.ts';
export const both = [createLog({ serviceName: 'x', level: 'INFO' }), createCloudWatchMetrics('x')];
`,
};

/**
 * The api with every library it loads beyond the reference's (Hono, the DynamoDB clients) replaced
 * by an empty stand-in at bundle time: what our own code costs at init, and so the least any
 * library choice could bring the api down to. Not a working function: the stand-ins do nothing.
 */
const BEYOND_REFERENCE = /^(@aws-sdk\/client-(ses|secrets-manager)|@aws-lambda-powertools\/|nodemailer|libphonenumber-js|luxon|countries-and-timezones|valibot|twilio)/;
const standInPlugin = (filter: RegExp): Plugin => ({
  name: 'stand-in',
  setup(b) {
    b.onResolve({ filter }, (a) => ({ path: a.path, namespace: 'stand-in' }));
    // Anything read from it is it again (also through the prototype esbuild's CommonJS interop
    // copies from), so the api's init runs through without the library.
    b.onLoad({ filter: /.*/, namespace: 'stand-in' }, () => ({
      loader: 'js',
      contents: `const h = { get: (_, k) => (k === 'then' ? undefined : k === Symbol.toPrimitive ? () => '' : k === '__esModule' ? false : p), apply: () => p, construct: () => p, getPrototypeOf: () => p };
const p = new Proxy(function () {}, h);
module.exports = p;`,
    }));
  },
});

async function coldStart() {
  mkdirSync(OUT, { recursive: true });
  const parts = Object.fromEntries(
    Object.entries(API_PARTS).map(([name, code], i) => {
      const file = join(OUT, `api-part-${i}.ts`);
      writeFileSync(file, code);
      return [name, file];
    }),
  );
  writeFileSync(
    join(OUT, 'baseline.ts'),
    "import { Hono } from 'hono';\nimport { handle } from 'hono/aws-lambda';\nconst app = new Hono();\napp.get('/', (c) => c.text('ok'));\nexport const handler = handle(app);\n",
  );
  writeFileSync(join(OUT, 'reference.ts'), REFERENCE);
  writeFileSync(join(OUT, 'reference-secrets.ts'), REFERENCE_WITH_SECRETS);
  const entries = {
    baseline: join(OUT, 'baseline.ts'),
    reference: join(OUT, 'reference.ts'),
    'reference + secrets': join(OUT, 'reference-secrets.ts'),
    api: join(ROOT, 'functions/api.ts'),
    sweeper: join(ROOT, 'functions/sweeper.ts'),
    'inbound-email': join(ROOT, 'functions/inbound-email.ts'),
    ...parts,
  };
  // A stand-in for Secrets Manager: the functions read Twilio's credentials and the link key at init.
  const secrets = await startSecretsStandin({
    [secretArn('legday/bench/twilio')]: JSON.stringify({ accountSid: LOCAL_TWILIO_ACCOUNT_SID, authToken: 'x'.repeat(32) }),
    [secretArn('legday/bench/link-signing-key')]: 'k'.repeat(48),
  });
  const env = {
    ...process.env,
    TABLE_NAME: 'legday-bench',
    PUBLIC_URL: 'https://example.com',
    TWILIO_SECRET_ARN: secretArn('legday/bench/twilio'),
    TWILIO_FROM: '+15005550006',
    MAIL_FROM: 'legday <coach@legday.example.com>',
    SES_CONFIGURATION_SET: 'legday-bench',
    SES_EVENTS_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:legday-bench-ses-events',
    LINK_SECRET_ARN: secretArn('legday/bench/link-signing-key'),
    MAIL_BUCKET: 'legday-bench-mail',
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.url,
    AWS_SDK_JS_SUPPRESS_NODE_DEPRECATION_WARNING: '1',
    // As every function runs (cdk/legday-function.ts): Node reads each bundle's source map at load.
    NODE_OPTIONS: RUNTIME_NODE_OPTIONS,
  };
  type Row = { rawKB: number; gzipKB: number; mapKB: number; initMs: number; initRatio: number; vsReference: number; vsReferenceWithSecrets?: number; fullTwilioClient: boolean };
  const rows: Record<string, Row> = {};
  // Each function as deployed, then the reference and the api again with the AWS SDK the other
  // way (bundled into the file, or left to the runtime's copy), and the api with the sources' text
  // in its source map, so each choice meets its alternative in one run.
  const variants: { name: string; entry: string; sdkBundled: boolean; sourcesContent?: boolean; plugins?: Plugin[]; noMap?: boolean }[] = [
    ...Object.entries(entries).map(([name, entry]) => ({ name, entry, sdkBundled: AWS_SDK_BUNDLED })),
    { name: `reference, SDK ${AWS_SDK_BUNDLED ? 'external' : 'bundled'}`, entry: entries.reference, sdkBundled: !AWS_SDK_BUNDLED },
    { name: `api, SDK ${AWS_SDK_BUNDLED ? 'external' : 'bundled'}`, entry: entries.api, sdkBundled: !AWS_SDK_BUNDLED },
    { name: `api, map ${BUNDLE.sourcesContent ? 'without' : 'with'} sources`, entry: entries.api, sdkBundled: AWS_SDK_BUNDLED, sourcesContent: !BUNDLE.sourcesContent },
    { name: 'api part: own code only', entry: entries.api, sdkBundled: AWS_SDK_BUNDLED, plugins: [standInPlugin(BEYOND_REFERENCE)] },
    // What readable stack traces cost: the api unminified, with no source map for Node to read.
    { name: 'api, no source map', entry: entries.api, sdkBundled: AWS_SDK_BUNDLED, noMap: true },
  ];
  const built: { name: string; outfile: string; sdkBundled: boolean; noMap: boolean; code: Buffer; mapBytes: number; fullTwilioClient: boolean; times: number[] }[] = [];
  for (const { name, entry, sdkBundled, sourcesContent = BUNDLE.sourcesContent, plugins = [], noMap = false } of variants) {
    const outfile = join(OUT, `${name.replace(/[^a-z-]+/g, '-')}.mjs`);
    // Built as CDK's NodejsFunction builds the functions (cdk/bundling.ts), the SDK as asked.
    const result = await build({ ...esbuildOptions(entry, outfile), external: sdkBundled ? [] : ['@aws-sdk/*'], sourcesContent, plugins, ...(noMap ? { minify: false, sourcemap: false } : {}), metafile: true, logLevel: 'silent' });
    const fullTwilioClient = Object.keys(result.metafile.inputs).some((i) => i.includes('twilio/lib/rest'));
    built.push({ name, outfile, sdkBundled, noMap, code: readFileSync(outfile), mapBytes: noMap ? 0 : readFileSync(`${outfile}.map`).length, fullTwilioClient, times: [] });
  }
  // Rounds, each importing every bundle once, so a burst of load on this shared machine falls on
  // all of them alike instead of on whichever was being timed then.
  for (let i = 0; i < 15; i++) {
    for (const b of built) {
      // Async, so this process can answer the Secrets Manager stand-in while the child starts.
      const { stdout } = await execFileAsync(
        process.execPath,
        ['--input-type=module', '-e', `const t = performance.now(); await import(${JSON.stringify('file://' + b.outfile)}); process.stdout.write(String(performance.now() - t));`],
        { env: b.noMap ? { ...env, NODE_OPTIONS: '' } : env, encoding: 'utf8', cwd: ROOT, timeout: 30_000 },
      ).catch((err: { stderr?: string }) => {
        throw new Error(`${b.name} failed to initialise:\n${err.stderr ?? err}`);
      });
      b.times.push(Number(stdout));
    }
  }
  const baselineMs = median(built.find((b) => b.name === 'baseline')!.times);
  const timesOf = (name: string) => built.find((b) => b.name === name)!.times;
  const otherWay = `SDK ${AWS_SDK_BUNDLED ? 'external' : 'bundled'}`;
  const referenceMs = (sdkBundled: boolean) => median(timesOf(sdkBundled === AWS_SDK_BUNDLED ? 'reference' : `reference, ${otherWay}`));
  const withSecretsMs = median(timesOf('reference + secrets'));
  for (const { name, code, mapBytes, sdkBundled, fullTwilioClient, times } of built) {
    const initMs = median(times);
    rows[name] = {
      rawKB: round(code.length / 1024, 1),
      gzipKB: round(gzipSync(code).length / 1024, 1),
      mapKB: round(mapBytes / 1024, 1),
      initMs: round(initMs, 1),
      initRatio: round(initMs / baselineMs),
      // Against the reference built the same way (the AWS SDK in the bundle or not).
      vsReference: round(initMs / referenceMs(sdkBundled)),
      ...(sdkBundled === AWS_SDK_BUNDLED ? { vsReferenceWithSecrets: round(initMs / withSecretsMs) } : {}),
      fullTwilioClient,
    };
  }
  await secrets.stop();
  rmSync(OUT, { recursive: true, force: true });
  results.coldStart = { awsSdk: AWS_SDK_BUNDLED ? 'bundled' : 'external', ...rows };
  log(`\n1. Cold start (bundled as CDK bundles them, AWS SDK ${AWS_SDK_BUNDLED ? 'bundled' : 'external'}; init = a fresh Node process, started with the functions' NODE_OPTIONS, importing the bundle, median of 15)`);
  log('   reference: Hono + the DynamoDB document client, built the same way; "+ secrets" also reads the api\'s two secrets at init');
  log('   function                   | raw KB | gzip KB | map KB | init ms | vs bare Hono | vs reference | vs reference + secrets | full twilio REST client');
  for (const [name, r] of Object.entries(rows)) {
    const withSecrets = r.vsReferenceWithSecrets === undefined ? '-' : r.vsReferenceWithSecrets + 'x';
    log(`   ${name.padEnd(26)} | ${String(r.rawKB).padStart(6)} | ${String(r.gzipKB).padStart(7)} | ${String(r.mapKB).padStart(6)} | ${String(r.initMs).padStart(7)} | ${String(r.initRatio + 'x').padStart(12)} | ${String(r.vsReference + 'x').padStart(12)} | ${withSecrets.padStart(22)} | ${r.fullTwilioClient ? 'yes' : 'no'}`);
  }
}

// ---------------------------------------------------------------------------------------------
async function withDynamo<T>(fn: (d: DynamoLocal) => Promise<T>): Promise<T> {
  const d = await startDynamoLocal();
  try {
    return await fn(d);
  } finally {
    await d.stop();
  }
}

const benchConfig = () =>
  readLocalConfig({
    PORT: '0',
    SES_PORT: '0',
    LOG_LEVEL: 'SILENT',
    SEND_RATE_PER_SECOND: '0',
    RATE_REPLIES_PER_HOUR: '1000000',
    RATE_ENROLMENTS_PER_HOUR: '1000000',
    RATE_REPLIES_PER_NUMBER_PER_HOUR: '1000',
  });

async function devText(url: string, from: string, body: string) {
  const res = await fetch(url + '/dev/sms', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ from, body }) });
  return ((await res.json()) as { reply: string | null }).reply;
}

// 2. DynamoDB round trips per operation.
async function roundTrips(dynamo: DynamoLocal) {
  const { counts, detail } = await measureRoundTrips(
    (instrument) => startLocalStack({ config: benchConfig(), persist: false, sweepEveryMs: null, clock: createFixedClock(LEG_DAY), dynamo: { ...dynamo, stop: async () => {} }, instrument }),
    (stack, from, body) => devText(stack.url, from, body),
  );
  results.dynamoRoundTrips = { counts, detail };
  log('\n2. DynamoDB round trips per operation (counted with SDK middleware; exact, also asserted in tests)');
  for (const [name, calls] of Object.entries(detail)) {
    const total = Object.values(calls).reduce((a, b) => a + b, 0);
    log(`   ${name.padEnd(26)} ${String(total).padStart(2)}  ${Object.entries(calls).map(([c, k]) => `${c.replace('Command', '')} x${k}`).join(', ')}`);
  }
  log(`   per reminder sent: ${counts.perReminderSent} (plus ${counts.sweepQueries} index queries per sweep, shared by all it sends)`);
}

// 3. Sweep cost against table size.
async function sweepCost(dynamo: DynamoLocal) {
  const rows: { futureReminders: number; readUnits: number; calls: number; found: number }[] = [];
  for (const future of [1_000, 10_000, 100_000]) {
    const raw = createDynamoClient({ region: 'us-east-1', endpoint: dynamo.endpoint, timeoutMs: 10_000 });
    const table = `bench-sweep-${future}`;
    await ensureTable(raw, table);
    const now = new Date('2026-03-10T15:00:00Z');
    const item = (i: number, due: boolean) => {
      const phone = `+1555${String(1_000_000 + i).padStart(7, '0')}`;
      const series = `c${i}`;
      const stepId = 'ice-1';
      const at = new Date(now.getTime() + (due ? -60_000 * (1 + (i % 50)) : 3_600_000 * (1 + (i % 2000)))).toISOString();
      return {
        PutRequest: {
          Item: {
            PK: { S: userPk(phone) },
            SK: { S: reminderSk(series, stepId) },
            type: { S: 'reminder' },
            channel: { S: 'sms' },
            to: { S: phone },
            status: { S: 'pending' },
            attempts: { N: '0' },
            // As planned now: unworded, and ice-1's words take no load advice, so no body.
            tz: { S: 'America/New_York' },
            dueAt: { S: at },
            gsi1pk: { S: dueShard(phone, series, stepId) },
            gsi1sk: { S: at },
          },
        },
      };
    };
    const all = [...Array.from({ length: 100 }, (_, i) => item(i, true)), ...Array.from({ length: future }, (_, i) => item(100 + i, false))];
    const batches: (typeof all)[] = [];
    for (let i = 0; i < all.length; i += 25) batches.push(all.slice(i, i + 25));
    let next = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < batches.length) {
          let req = batches[next++]!;
          while (req.length) {
            const res = await raw.send(new BatchWriteItemCommand({ RequestItems: { [table]: req } }));
            req = (res.UnprocessedItems?.[table] ?? []) as typeof req;
          }
        }
      }),
    );
    const counter = countCalls(raw);
    const store = createDynamoStore(documentClient(raw), table);
    const found = await store.findDueReminders(now, 500);
    rows.push({ futureReminders: future, readUnits: round(counter.readUnits, 1), calls: counter.total(), found: found.length });
    raw.destroy();
  }
  const ratio = round(rows[2]!.readUnits / rows[0]!.readUnits);
  results.sweepCost = { rows, largestOverSmallest: ratio };
  log('\n3. Sweep cost against table size (a sweep finding 100 due reminders; read capacity as DynamoDB Local reports it)');
  log('   future reminders | read units | queries | due found');
  for (const r of rows) log(`   ${String(r.futureReminders).padStart(16)} | ${String(r.readUnits).padStart(10)} | ${String(r.calls).padStart(7)} | ${r.found}`);
  log(`   largest / smallest: ${ratio}x`);
}

// 4. Dispatch throughput of one sweeper invocation, and the messages-per-second cap.
async function dispatch(dynamo: DynamoLocal) {
  const out: Record<string, unknown> = {};
  for (const mode of ['unpaced', 'capped'] as const) {
    const stack = await startLocalStack({ config: benchConfig(), persist: false, sweepEveryMs: null, clock: createFixedClock(LEG_DAY), dynamo: { ...dynamo, stop: async () => {} } });
    const standin = await startTwilioStandin({ accountSid: LOCAL_TWILIO_ACCOUNT_SID, authToken: LOCAL_TWILIO_AUTH_TOKEN, now: stack.clock.now });
    try {
      const users = mode === 'unpaced' ? 70 : 15;
      for (let i = 0; i < users; i += 10) {
        await Promise.all(Array.from({ length: Math.min(10, users - i) }, (_, j) => devText(stack.url, `+1555${String(5_000_000 + i + j).padStart(7, '0')}`, 'legs done')));
      }
      const concurrency = 8;
      const latencyMs = 50;
      standin.latencyMs = mode === 'unpaced' ? latencyMs : 0;
      const cap = 20;
      const twilio = createTwilioSender({ accountSid: LOCAL_TWILIO_ACCOUNT_SID, authToken: LOCAL_TWILIO_AUTH_TOKEN, from: LOCAL_SERVICE_NUMBER, apiBaseUrl: standin.url, timeoutMs: 10_000 });
      // When each send leaves the service: what the cap governs (arrival adds network jitter).
      const released: number[] = [];
      const sender = { ...twilio, send: (m: Parameters<typeof twilio.send>[0]) => (released.push(performance.now()), twilio.send(m)) };
      const deps = { store: stack.store, sender, email: stack.email, log: quiet, metrics: createLocalMetrics(), newId: randomUUID, wallClock: systemClock, sleep, defaultTimezone: 'America/New_York' };
      const t0 = performance.now();
      // The next morning at 10:00 New York time: every lifter's first text (09:00 plus their spread)
      // is due and still inside its window (a week later, every window has closed: nothing goes).
      const r = await sendDueReminders(deps, { now: new Date(LEG_DAY.getTime() + 21 * 3_600_000), concurrency, ratePerSecond: mode === 'capped' ? cap : 0, batchSize: 1000 });
      const seconds = (performance.now() - t0) / 1000;
      const perSecond = r.sent.length / seconds;
      if (mode === 'unpaced') {
        const limit = concurrency / (latencyMs / 1000);
        out.unpaced = { sent: r.sent.length, perSecond: round(perSecond, 1), limitPerSecond: limit, fractionOfLimit: round(perSecond / limit) };
      } else {
        let maxInAnySecond = 0;
        for (let i = 0; i < released.length; i++) {
          maxInAnySecond = Math.max(maxInAnySecond, released.filter((t) => t >= released[i]! && t < released[i]! + 1000).length);
        }
        out.capped = { cap, sent: r.sent.length, perSecond: round(perSecond, 1), maxInAnyOneSecond: maxInAnySecond, holds: maxInAnySecond <= cap };
      }
    } finally {
      await standin.stop();
      await stack.stop();
    }
  }
  results.dispatch = out;
  const u = out.unpaced as { sent: number; perSecond: number; limitPerSecond: number; fractionOfLimit: number };
  const c = out.capped as { cap: number; sent: number; perSecond: number; maxInAnyOneSecond: number; holds: boolean };
  log('\n4. Dispatch: one sweeper invocation, concurrency 8, Twilio stand-in answering in 50 ms');
  log(`   ${u.sent} reminders at ${u.perSecond}/s = ${u.fractionOfLimit} of the concurrency limit (${u.limitPerSecond}/s)`);
  log(`   with SEND_RATE_PER_SECOND=${c.cap}: ${c.sent} sent at ${c.perSecond}/s, at most ${c.maxInAnyOneSecond} sends started in any one second: cap ${c.holds ? 'holds' : 'BROKEN'}`);
}

// 5. Webhook throughput against a bare Hono endpoint doing one PutItem.
async function webhook(dynamo: DynamoLocal) {
  const requests = 3000;
  const connections = 16;
  const run = (url: string, setup: (req: autocannon.Request) => autocannon.Request) =>
    new Promise<autocannon.Result>((resolve, reject) => {
      autocannon({ url, connections, amount: requests, requests: [{ method: 'POST', setupRequest: setup }] }, (err, res) => (err ? reject(err) : resolve(res)));
    });

  // Baseline: the least a webhook on this stack could do.
  const raw = createDynamoClient({ region: 'us-east-1', endpoint: dynamo.endpoint });
  await ensureTable(raw, 'bench-bare');
  const bare = new Hono().post('/hook', async (c) => {
    const form = new URLSearchParams(await c.req.text());
    await raw.send(new PutItemCommand({ TableName: 'bench-bare', Item: { PK: { S: userPk(String(form.get('From'))) }, SK: { S: PROFILE_SK } } }));
    return c.body('<Response/>', 200, { 'content-type': 'text/xml' });
  });
  const port = await freePort();
  const server = serve({ fetch: bare.fetch, port, hostname: '127.0.0.1' });
  let n = 0;
  const form = () => {
    n++;
    return {
      AccountSid: LOCAL_TWILIO_ACCOUNT_SID,
      MessageSid: 'SM' + randomUUID().replace(/-/g, ''),
      From: `+1555${String(6_000_000 + n).padStart(7, '0')}`,
      To: LOCAL_SERVICE_NUMBER,
      Body: 'legs done',
      NumMedia: '0',
    };
  };
  const base = await run(`http://127.0.0.1:${port}/hook`, (req) => ({ ...req, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form()).toString() }));
  server.close();

  const stack = await startLocalStack({ config: benchConfig(), persist: false, sweepEveryMs: null, clock: createFixedClock(LEG_DAY), dynamo: { ...dynamo, stop: async () => {} } });
  const sent: string[] = [];
  const real = await run(stack.url + '/webhooks/twilio/sms', (req) => {
    const params = form();
    sent.push(params.From);
    return {
      ...req,
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': signTwilioRequest(LOCAL_TWILIO_AUTH_TOKEN, stack.publicUrl + '/webhooks/twilio/sms', params),
      },
      body: new URLSearchParams(params).toString(),
    };
  });
  // Every check-in stored?
  let stored = 0;
  for (const phone of sent) if ((await stack.store.getUser(phone))?.recent.length === 1) stored++;
  await stack.stop();
  raw.destroy();

  const row = (r: autocannon.Result) => ({ rps: round(r.requests.average, 1), p99ms: r.latency.p99, errors: r.errors + r.non2xx, completed: r.requests.total });
  results.webhook = {
    requests,
    connections,
    legday: row(real),
    bareHonoPutItem: row(base),
    throughputRatio: round(real.requests.average / base.requests.average),
    p99Ratio: round(real.latency.p99 / base.latency.p99),
    checkinsStored: stored,
    requestsSent: sent.length,
  };
  const w = results.webhook as { legday: ReturnType<typeof row>; bareHonoPutItem: ReturnType<typeof row>; throughputRatio: number; p99Ratio: number; checkinsStored: number };
  log(`\n5. Webhook throughput (${requests} signed "legs done" from distinct numbers, ${connections} connections, autocannon)`);
  log(`   legday webhook:         ${w.legday.rps} req/s, p99 ${w.legday.p99ms} ms, ${w.legday.errors} errors`);
  log(`   bare Hono + 1 PutItem:  ${w.bareHonoPutItem.rps} req/s, p99 ${w.bareHonoPutItem.p99ms} ms, ${w.bareHonoPutItem.errors} errors`);
  log(`   ratio: ${w.throughputRatio}x the throughput, ${w.p99Ratio}x the p99; check-ins stored: ${w.checkinsStored}/${sent.length}`);
}

// 6. SMS segments, from the real templates.
function segments() {
  const steps = PLAN.steps.map((s) => segmentCount(render(STEP_TEXT[s.id]!, { load: LOAD_TEXT.generic })));
  const stepsWithCaps = PLAN.steps.map((s) => segmentCount(render(STEP_TEXT[s.id]!, { load: render(LOAD_TEXT.caps, { caps: 'squat 154kg, deadlift 198kg' }) })));
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const r = {
    firstLegDayCycle: segmentCount(SMS.checkinFirst) + sum(steps),
    laterLegDayCycle: segmentCount(SMS.checkinAgain) + sum(steps),
    laterCycleWithTwoLiftCaps: segmentCount(SMS.checkinAgain) + sum(stepsWithCaps),
    painReply: Math.max(segmentCount(SMS.painEarly), segmentCount(SMS.painLate)),
    followUps: PLAN.steps.length,
  };
  results.segments = r;
  log('\n6. SMS segments (GSM-7, from the real templates)');
  log(`   first leg day: ${r.firstLegDayCycle}; each later one: ${r.laterLegDayCycle} (${r.laterCycleWithTwoLiftCaps} with caps for two lifts); a "pain" reply: ${r.painReply}`);
}

// 7. Capacity: lateness and expiry for 1k / 10k / 100k lifters through senders of 1, 3, 30 and 100
// messages a second, on a virtual clock with the real planner and sweeper (bench/capacity.ts).
async function capacity() {
  const sizes = [1_000, 10_000, 100_000];
  const rates = [1, 3, 30, 100];
  const rows: CapacityRun[] = [];
  log(`\n7. Capacity (virtual clock; real planReminders and sendDueReminders; sweeps every minute with a ${SWEEP_BUDGET_MS / 1000} s budget)`);
  log('   check-ins over one week, evening-heavy, across New York, Chicago, Denver, Los Angeles and London; 6 texts each');
  log('   lifters   sender/s   p50 late   p99 late   expired   most sent in a minute');
  for (const n of sizes) {
    for (const rate of rates) {
      const r = await simulate(n, rate);
      rows.push(r);
      const min = (s: number) => (s < 60 ? `${s} s` : `${round(s / 60, 1)} min`);
      log(`   ${String(n).padStart(7)}   ${String(rate).padStart(8)}   ${min(r.p50LateSeconds).padStart(8)}   ${min(r.p99LateSeconds).padStart(8)}   ${(round(r.expiredShare * 100, 1) + '%').padStart(7)}   ${r.peakPerMinute}`);
    }
  }
  // The effect of spreading each person's times over 30 minutes, where the peak hurts: 10k lifters on 3/s.
  const spread = await simulate(10_000, 3, { spreadMinutes: 30 });
  log(`   with a 30-minute spread, 10,000 on 3/s: p50 ${spread.p50LateSeconds} s, p99 ${spread.p99LateSeconds} s, expired ${round(spread.expiredShare * 100, 1)}%`);
  const ceiling = 100_000;
  const most: { sendRatePerSecond: number; maxLifters: number; capped: boolean }[] = [];
  for (const rate of rates) {
    const m = await maxLifters(rate, { ceiling });
    most.push({ sendRatePerSecond: rate, maxLifters: m.lifters, capped: m.capped });
    log(`   ${rate}/s serves ${m.capped ? `more than ${ceiling.toLocaleString('en-US')} (not searched further)` : `up to about ${m.lifters.toLocaleString('en-US')}`} lifters with p99 lateness under 15 minutes`);
  }
  results.capacity = { sweepBudgetSeconds: SWEEP_BUDGET_MS / 1000, runs: rows, spread30MinutesAt10kOn3PerSecond: spread, maxLiftersP99Under15Minutes: most };
  // The in-memory store checked against the real one, where it fits.
  const real = await withDynamo((d) => capacityOnDynamo(d));
  // The check-ins go through the real webhook, so their plans carry plan.json's spread: the
  // virtual-clock run it is checked against has the same.
  const same = await simulate(real.lifters, real.sendRatePerSecond, { spreadMinutes: PLAN.spreadMinutes });
  log(`   cross-check, ${real.lifters} lifters on ${real.sendRatePerSecond}/s through webhooks, DynamoDB Local, the real store and twilio client: p50 ${real.p50LateSeconds} s, p99 ${real.p99LateSeconds} s, expired ${round(real.expiredShare * 100, 1)}% (virtual-clock run with the same ${PLAN.spreadMinutes}-minute spread: p50 ${same.p50LateSeconds} s, p99 ${same.p99LateSeconds} s)`);
  (results.capacity as Record<string, unknown>).dynamoLocalCrossCheck = { ...real, virtualClockP50: same.p50LateSeconds, virtualClockP99: same.p99LateSeconds };
}

/**
 * The same run for 1,000 lifters on 1 message a second through the real parts: each check-in a
 * signed webhook into the app at its own time, DynamoDB Local, the real sweeper and store, the real
 * twilio client against the stand-in; only the sweep's wall clock (pacing, budget) is virtual.
 */
async function capacityOnDynamo(dynamo: DynamoLocal, n = 1_000, ratePerSecond = 1) {
  const people = lifters(n).sort((a, b) => a.checkinAt.getTime() - b.checkinAt.getTime());
  const stack = await startLocalStack({
    config: benchConfig(),
    persist: false,
    sweepEveryMs: null,
    clock: createFixedClock(new Date(people[0]!.checkinAt.getTime() - 60_000)),
    dynamo: { ...dynamo, stop: async () => {} },
  });
  try {
    stack.twilio!.reportDelivery = false;
    for (const l of people) {
      stack.clock.advance((l.checkinAt.getTime() - stack.clock.now().getTime()) / 60_000);
      await devText(stack.url, l.phone, `TZ ${l.zone}`);
      await devText(stack.url, l.phone, 'legs done');
    }
    let wall = 0;
    const sender = createTwilioSender({ accountSid: LOCAL_TWILIO_ACCOUNT_SID, authToken: LOCAL_TWILIO_AUTH_TOKEN, from: LOCAL_SERVICE_NUMBER, apiBaseUrl: stack.twilio!.url, timeoutMs: 5000 });
    const deps = { store: stack.store, sender, email: stack.email, log: quiet, metrics: createLocalMetrics(), newId: randomUUID, wallClock: { now: () => new Date(wall) }, sleep: async (ms: number) => void (wall += ms), defaultTimezone: 'America/New_York' };
    const end = new Date(people[people.length - 1]!.checkinAt.getTime() + 10 * 24 * 3_600_000);
    const late: number[] = [];
    let sweeps = 0;
    for (let t = (await stack.store.nextDueAt(end))?.getTime(); t !== undefined && t <= end.getTime(); ) {
      wall = t;
      const res = await sendDueReminders(deps, { now: new Date(t), ratePerSecond, budgetMs: SWEEP_BUDGET_MS, batchSize: 60, concurrency: 8 });
      sweeps++;
      late.push(...res.sent.map((x) => x.lateSeconds));
      const next = await stack.store.nextDueAt(end);
      t = next ? Math.max(t + 60_000, Math.ceil(next.getTime() / 60_000) * 60_000) : undefined;
    }
    const texts = n * PLAN.steps.length;
    return { lifters: n, sendRatePerSecond: ratePerSecond, texts, sent: late.length, expiredShare: round((texts - late.length) / texts, 4), p50LateSeconds: percentile(late, 50), p99LateSeconds: percentile(late, 99), sweeps };
  } finally {
    await stack.stop();
  }
}

// ---------------------------------------------------------------------------------------------
// 8. Understanding: what reading a message costs, in a fresh process (the first text after a cold
// start compiles the patterns) and warm, over the whole labeled corpus and at the longest inputs.
async function understanding() {
  mkdirSync(OUT, { recursive: true });
  const bundle = join(OUT, 'understanding.mjs');
  await build({ entryPoints: [join(ROOT, 'src/core/understanding/index.ts')], bundle: true, platform: 'node', format: 'esm', minify: true, outfile: bundle, logLevel: 'silent' });
  const probe = join(OUT, 'understanding-probe.mjs');
  writeFileSync(
    probe,
    `const t0 = performance.now(); const m = await import(${JSON.stringify(bundle)}); const t1 = performance.now();
m.understand('legs done, back a bit sore but no numbness'); const t2 = performance.now();
console.log(JSON.stringify({ importMs: t1 - t0, firstReadMs: t2 - t1 }));`,
  );
  const empty = join(OUT, 'empty-probe.mjs');
  writeFileSync(empty, `const t0 = performance.now(); await import('node:path'); console.log(JSON.stringify({ ms: performance.now() - t0 }));`);
  const fresh: { importMs: number; firstReadMs: number }[] = [];
  const wall: number[] = [];
  const baseWall: number[] = [];
  for (let i = 0; i < 7; i++) {
    let t = performance.now();
    fresh.push(JSON.parse((await execFileAsync(process.execPath, [probe])).stdout) as { importMs: number; firstReadMs: number });
    wall.push(performance.now() - t);
    t = performance.now();
    await execFileAsync(process.execPath, [empty]);
    baseWall.push(performance.now() - t);
  }
  const { understand } = await import('../src/core/understanding/index.ts');
  const corpus = readdirSync(join(ROOT, 'eval', 'corpus'))
    .filter((f) => f.endsWith('.jsonl'))
    .flatMap((f) => readFileSync(join(ROOT, 'eval', 'corpus', f), 'utf8').split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { text: string }).text));
  for (const t of corpus) understand(t);
  const per: number[] = [];
  for (let r = 0; r < 5; r++) {
    const t = performance.now();
    for (const text of corpus) understand(text);
    per.push((performance.now() - t) / corpus.length);
  }
  const longest = (text: string) => {
    const xs: number[] = [];
    for (let r = 0; r < 5; r++) {
      const t = performance.now();
      understand(text);
      xs.push(performance.now() - t);
    }
    return round(median(xs), 2);
  };
  const sms = ('my lower back is killing me since squats, no numbness or tingling but it aches when i sit. ').repeat(18).slice(0, 1600);
  const email = ('Hi coach, legs done yesterday. Back is tight, no fever, no numbness, just stiff after deadlifts. ').repeat(45).slice(0, 4000);
  results.understanding = {
    texts: corpus.length,
    freshProcessWallMs: round(median(wall), 1),
    bareProcessWallMs: round(median(baseWall), 1),
    importMs: round(median(fresh.map((f) => f.importMs)), 1),
    firstReadMs: round(median(fresh.map((f) => f.firstReadMs)), 1),
    warmPerTextMs: round(median(per), 3),
    longestSmsMs: longest(sms),
    longestEmailMs: longest(email),
  };
  const u = results.understanding as Record<string, number>;
  log(`\n8. understanding: import ${u.importMs} ms, first read ${u.firstReadMs} ms in a fresh process (whole process ${round(u.freshProcessWallMs! / u.bareProcessWallMs!, 2)}x a bare one); warm ${u.warmPerTextMs} ms a text over ${u.texts}; a 1,600-character text ${u.longestSmsMs} ms, a 4,000-character email ${u.longestEmailMs} ms`);
}

if (process.argv.includes('cold-start')) {
  // `npm run bench -- cold-start`: section 1 alone, merged into the last full results.
  Object.assign(results, JSON.parse(readFileSync(join(ROOT, 'bench', 'results.json'), 'utf8')) as Record<string, unknown>);
  await coldStart();
  if (!process.argv.includes('--dry')) writeFileSync(join(ROOT, 'bench', 'results.json'), JSON.stringify(results, null, 2) + '\n');
  log(process.argv.includes('--dry') ? '\n(--dry: nothing written)' : '\nwrote bench/results.json (cold start)');
  process.exit(0);
}

if (process.argv.includes('understanding')) {
  // `npm run bench -- understanding`: section 8 alone, merged into the last full results.
  Object.assign(results, JSON.parse(readFileSync(join(ROOT, 'bench', 'results.json'), 'utf8')) as Record<string, unknown>);
  await understanding();
  writeFileSync(join(ROOT, 'bench', 'results.json'), JSON.stringify(results, null, 2) + '\n');
  log('\nwrote bench/results.json (understanding)');
  process.exit(0);
}

if (process.argv.includes('dispatch')) {
  // `npm run bench -- dispatch`: section 4 alone, merged into the last full results.
  Object.assign(results, JSON.parse(readFileSync(join(ROOT, 'bench', 'results.json'), 'utf8')) as Record<string, unknown>);
  await withDynamo(dispatch);
  writeFileSync(join(ROOT, 'bench', 'results.json'), JSON.stringify(results, null, 2) + '\n');
  log('\nwrote bench/results.json (dispatch)');
  process.exit(0);
}

if (process.argv.includes('capacity-check')) {
  // `npm run bench -- capacity-check [N]`: the DynamoDB Local run alone, printed, nothing written.
  const n = Number(process.argv[process.argv.indexOf('capacity-check') + 1] ?? 1000) || 1000;
  log(JSON.stringify(await withDynamo((d) => capacityOnDynamo(d, n))));
  process.exit(0);
}

const onlyCapacity = process.argv.includes('capacity');
if (onlyCapacity) {
  // `npm run bench -- capacity`: section 7 alone, merged into the last full results.
  Object.assign(results, JSON.parse(readFileSync(join(ROOT, 'bench', 'results.json'), 'utf8')) as Record<string, unknown>);
  const t0 = performance.now();
  await capacity();
  (results.capacity as Record<string, unknown>).seconds = round((performance.now() - t0) / 1000, 1);
  writeFileSync(join(ROOT, 'bench', 'results.json'), JSON.stringify(results, null, 2) + '\n');
  log('\nwrote bench/results.json (capacity)');
  process.exit(0);
}

const started = performance.now();
const machine = { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, memoryGB: round(totalmem() / 2 ** 30, 1), node: process.version, platform: process.platform };
results.machine = machine;
results.date = new Date().toISOString().slice(0, 10);
log(`legday benchmark on ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGB} GB, Node ${machine.node}`);
await coldStart();
await withDynamo(async (dynamo) => {
  await roundTrips(dynamo);
  await sweepCost(dynamo);
  await dispatch(dynamo);
  await webhook(dynamo);
});
segments();
await understanding();
await capacity();
results.seconds = round((performance.now() - started) / 1000, 1);
writeFileSync(join(ROOT, 'bench', 'results.json'), JSON.stringify(results, null, 2) + '\n');
log(`\nDone in ${results.seconds} s; wrote bench/results.json`);
