// A minimal Lambda runtime for the tests, run as its own Node process with the function's
// environment: it imports the bundle once (the cold start, top-level awaits included), says
// whether init worked, then runs each invocation it is sent over IPC through the exported handler,
// with a context whose getRemainingTimeInMillis counts down to the invocation's deadline.
import { pathToFileURL } from 'node:url';

const bundle = process.argv[2];
let mod;
try {
  mod = await import(pathToFileURL(bundle).href);
  if (typeof mod.handler !== 'function') throw new Error('the bundle exports no handler function');
  process.send({ type: 'ready' });
} catch (err) {
  process.send({ type: 'init-error', error: String(err?.stack ?? err) });
  process.exit(1);
}

const fn = process.env.AWS_LAMBDA_FUNCTION_NAME;
const region = process.env.AWS_REGION;
process.on('message', async ({ id, event, timeoutMs }) => {
  const deadline = performance.now() + timeoutMs;
  const context = {
    callbackWaitsForEmptyEventLoop: true,
    functionName: fn,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${region}:123456789012:function:${fn}`,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: id,
    logGroupName: `/aws/lambda/${fn}`,
    logStreamName: '2026/03/02/[$LATEST]0123456789abcdef0123456789abcdef',
    getRemainingTimeInMillis: () => Math.max(0, Math.round(deadline - performance.now())),
    done() {},
    fail() {},
    succeed() {},
  };
  try {
    const result = await mod.handler(event, context);
    process.send({ type: 'result', id, result: result === undefined ? null : result });
  } catch (err) {
    process.send({ type: 'error', id, error: { name: err?.name, message: err?.message, stack: err?.stack } });
  }
});
