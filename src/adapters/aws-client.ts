/**
 * Options every AWS SDK client here shares, so the timeout behaviour is decided once.
 *
 * - The SDK builds its Node HTTP handler from `requestHandler`. Its `requestTimeout` only logs a
 *   warning unless `throwOnRequestTimeout` is set, so a hung call would wait until Lambda's own
 *   timeout; with it, the call fails and the caller's failure path runs.
 * - A local endpoint (DynamoDB Local, the local SES) accepts any credentials; fixed ones keep a
 *   developer's real keys out of it.
 */
export function awsClientOptions(opts: { region?: string; timeoutMs: number; maxAttempts: number; endpoint?: string }) {
  return {
    // Absent: the SDK takes the function's own region (AWS_REGION).
    ...(opts.region ? { region: opts.region } : {}),
    maxAttempts: opts.maxAttempts,
    requestHandler: { connectionTimeout: Math.min(1000, opts.timeoutMs), requestTimeout: opts.timeoutMs, throwOnRequestTimeout: true },
    ...(opts.endpoint ? { endpoint: opts.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
  };
}
