import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { awsClientOptions } from '../aws-client.ts';

export interface DynamoOptions {
  region: string;
  /** Set for DynamoDB Local; absent in AWS. */
  endpoint?: string;
  /** Per-request timeout. A hung call must fail fast enough for Twilio's 15 s webhook limit. */
  timeoutMs?: number;
}

export function createDynamoClient(opts: DynamoOptions): DynamoDBClient {
  return new DynamoDBClient(awsClientOptions({ region: opts.region, timeoutMs: opts.timeoutMs ?? 3000, maxAttempts: 3, endpoint: opts.endpoint }));
}

export function documentClient(client: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}
