import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export interface DynamoOptions {
  region: string;
  /** Set for DynamoDB Local; absent in AWS. */
  endpoint?: string;
  /** Per-request timeout. A hung call must fail fast enough for Twilio's 15 s webhook limit. */
  timeoutMs?: number;
}

export function createDynamoClient(opts: DynamoOptions): DynamoDBClient {
  const timeoutMs = opts.timeoutMs ?? 3000;
  return new DynamoDBClient({
    region: opts.region,
    maxAttempts: 3,
    // The SDK builds its Node HTTP handler from these; a hung socket then fails instead of waiting forever.
    requestHandler: { connectionTimeout: Math.min(1000, timeoutMs), requestTimeout: timeoutMs, throwOnRequestTimeout: true },
    ...(opts.endpoint
      ? // DynamoDB Local accepts any credentials; fixed ones keep a developer's real keys out of it.
        { endpoint: opts.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
      : {}),
  });
}

export function documentClient(client: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}
