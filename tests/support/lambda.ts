import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { BUNDLE_FILE, PROJECT_ROOT, RUNTIME_NODE_OPTIONS, esbuildOptions, functionEntry } from '../../cdk/bundling.ts';

/**
 * The Lambda functions as deployed: each bundle built with the one set of options CDK uses
 * (cdk/bundling.ts), written inside the repository (so the AWS SDK it leaves external resolves from
 * node_modules, as the runtime provides it in Lambda), and run in a process of its own with only a
 * Lambda's environment.
 */
export type FunctionName = 'api' | 'sweeper' | 'inbound-email';

/** Builds `functions/<name>.ts` into a fresh directory under .out/; returns the bundle's path. */
export async function buildFunction(name: FunctionName): Promise<{ file: string; remove(): void }> {
  const dir = join(PROJECT_ROOT, '.out', `lambda-${randomUUID()}`, name);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, BUNDLE_FILE);
  await build({ ...esbuildOptions(functionEntry(name), file), logLevel: 'silent' });
  return { file, remove: () => rmSync(join(dir, '..'), { recursive: true, force: true }) };
}

/** What the Lambda service itself puts in a Node.js 22 function's environment. */
export function lambdaEnvironment(name: FunctionName, fn: Record<string, string>): Record<string, string> {
  const functionName = `legday-test-${name}`;
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    TZ: ':UTC',
    LANG: 'en_US.UTF-8',
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
    AWS_LAMBDA_FUNCTION_NAME: functionName,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${functionName}`,
    AWS_LAMBDA_LOG_FORMAT: 'JSON',
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    _HANDLER: 'index.handler',
    // The role's temporary credentials. DynamoDB Local keeps tables per access key: this is the
    // one the tests' own clients use (src/adapters/aws-client.ts), so both see the same tables.
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_SESSION_TOKEN: 'lambda-test-session-token',
    AWS_SDK_JS_SUPPRESS_NODE_DEPRECATION_WARNING: '1',
    // What cdk/legday-function.ts sets on every function.
    NODE_OPTIONS: RUNTIME_NODE_OPTIONS,
    POWERTOOLS_SERVICE_NAME: `legday-${name}`,
    POWERTOOLS_METRICS_NAMESPACE: 'legday',
    ...fn,
  };
}

export interface RunningFunction {
  invoke<T = unknown>(event: unknown, opts?: { timeoutMs?: number }): Promise<T>;
  /** Everything the function wrote (its JSON logs and metrics), for a failing test's message. */
  output(): string;
  stop(): Promise<void>;
}

/** Starts a function's process and waits for its init (the module's top level) to finish. */
export async function startFunction(bundle: string, env: Record<string, string>): Promise<RunningFunction> {
  const child: ChildProcess = fork(join(PROJECT_ROOT, 'tests/support/lambda-runtime.mjs'), [bundle], {
    env,
    cwd: join(bundle, '..'),
    execArgv: [],
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  type Message = { type: 'ready' } | { type: 'init-error'; error: string } | { type: 'result'; id: string; result: unknown } | { type: 'error'; id: string; error: { message: string; stack: string } };
  const pending = new Map<string, { resolve(v: unknown): void; reject(e: Error): void }>();
  const ready = new Promise<void>((resolve, reject) => {
    child.on('message', (m: Message) => {
      if (m.type === 'ready') resolve();
      else if (m.type === 'init-error') reject(new Error(`init failed:\n${m.error}\n${out}`));
      else if (m.type === 'result') pending.get(m.id)?.resolve(m.result);
      else pending.get(m.id)?.reject(new Error(`${m.error.message}\n${m.error.stack}\n${out}`));
    });
    child.on('exit', (code) => {
      const err = new Error(`the function's process exited (${code}):\n${out}`);
      reject(err);
      for (const p of pending.values()) p.reject(err);
    });
  });
  await ready;
  return {
    invoke<T>(event: unknown, opts: { timeoutMs?: number } = {}) {
      const id = randomUUID();
      return new Promise<T>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
        child.send({ id, event, timeoutMs: opts.timeoutMs ?? 15_000 });
      });
    },
    output: () => out,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill();
      }),
  };
}

/**
 * An HTTP API (payload format 2.0) event as API Gateway sends it to the function: the route the
 * stack declares for it (cdk/service-stack.ts adds one per path, so routeKey is "POST /path", not
 * $default), the $default stage, lower-cased headers with the ones API Gateway adds, and a body
 * that API Gateway base64-encodes unless it is JSON or text (so every form post).
 */
export function httpApiEvent(opts: {
  method: 'GET' | 'POST';
  /** The public URL the client called (its host and path go into the event). */
  url: string;
  headers?: Record<string, string>;
  body?: string;
  sourceIp?: string;
  time: Date;
}) {
  const u = new URL(opts.url);
  const sourceIp = opts.sourceIp ?? '203.0.113.7';
  const headers: Record<string, string> = {
    accept: '*/*',
    host: u.host,
    'user-agent': 'TwilioProxy/1.1',
    'x-amzn-trace-id': `Root=1-${Math.floor(opts.time.getTime() / 1000).toString(16)}-0123456789abcdef01234567`,
    'x-forwarded-for': sourceIp,
    'x-forwarded-port': '443',
    'x-forwarded-proto': 'https',
    ...Object.fromEntries(Object.entries(opts.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v])),
  };
  const type = headers['content-type'] ?? '';
  const textual = /^(application\/json|text\/)/.test(type);
  if (opts.body !== undefined) headers['content-length'] = String(Buffer.byteLength(opts.body));
  const day = opts.time.toUTCString().split(' ');
  return {
    version: '2.0',
    routeKey: `${opts.method} ${u.pathname}`,
    rawPath: u.pathname,
    rawQueryString: u.search.slice(1),
    headers,
    ...(u.search ? { queryStringParameters: Object.fromEntries(u.searchParams) } : {}),
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc123defg',
      domainName: u.host,
      domainPrefix: u.host.split('.')[0],
      http: { method: opts.method, path: u.pathname, protocol: 'HTTP/1.1', sourceIp, userAgent: headers['user-agent'] },
      requestId: randomUUID().slice(0, 16) + '=',
      routeKey: `${opts.method} ${u.pathname}`,
      stage: '$default',
      time: `${day[1]}/${day[2]}/${day[3]}:${day[4]} +0000`,
      timeEpoch: opts.time.getTime(),
    },
    ...(opts.body !== undefined
      ? textual
        ? { body: opts.body, isBase64Encoded: false }
        : { body: Buffer.from(opts.body).toString('base64'), isBase64Encoded: true }
      : { isBase64Encoded: false }),
  };
}

/** What the api function answers API Gateway with (payload format 2.0). */
export interface HttpApiResult {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
  isBase64Encoded: boolean;
}
