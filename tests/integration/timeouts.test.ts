import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createDynamoClient } from '../../src/adapters/dynamo/client.ts';

// A server that takes requests and never answers: what a hung dependency looks like.
let server: Server;
let endpoint: string;
beforeAll(async () => {
  server = createServer((req) => req.resume());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  return new Promise<void>((r) => server.close(() => r()));
});

it('a DynamoDB call that never answers fails with a timeout instead of hanging the request', async () => {
  // The AWS SDK only warns on a request timeout unless told to throw (throwOnRequestTimeout).
  const client = createDynamoClient({ region: 'us-east-1', endpoint, timeoutMs: 200 });
  await expect(client.send(new GetItemCommand({ TableName: 't', Key: { PK: { S: 'x' }, SK: { S: 'y' } } }))).rejects.toThrow(/timeout/i);
  client.destroy();
});
