import { CreateTableCommand, DescribeTableCommand, UpdateTimeToLiveCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DUE_INDEX } from './keys.ts';

/** The table's shape, shared by local setup and the CDK stack so the two cannot drift. */
export const TABLE_KEYS = { partitionKey: 'PK', sortKey: 'SK' } as const;
export const DUE_INDEX_KEYS = { name: DUE_INDEX, partitionKey: 'gsi1pk', sortKey: 'gsi1sk' } as const;
export const TTL_ATTRIBUTE = 'ttl';
/** What the sweeper needs without another read: the claim's guard, the message, where it goes and the zone. */
export const DUE_INDEX_PROJECTION = ['attempts', 'body', 'tz', 'uncertain', 'status', 'channel', 'to', 'dueAt', 'validUntil'] as const;

/** Creates the table (on-demand, with the due index and TTL) unless it exists. For local and tests. */
export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
    return;
  } catch (err) {
    if ((err as { name?: string }).name !== 'ResourceNotFoundException') throw err;
  }
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: TABLE_KEYS.partitionKey, AttributeType: 'S' },
        { AttributeName: TABLE_KEYS.sortKey, AttributeType: 'S' },
        { AttributeName: DUE_INDEX_KEYS.partitionKey, AttributeType: 'S' },
        { AttributeName: DUE_INDEX_KEYS.sortKey, AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: TABLE_KEYS.partitionKey, KeyType: 'HASH' },
        { AttributeName: TABLE_KEYS.sortKey, KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: DUE_INDEX_KEYS.name,
          KeySchema: [
            { AttributeName: DUE_INDEX_KEYS.partitionKey, KeyType: 'HASH' },
            { AttributeName: DUE_INDEX_KEYS.sortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: [...DUE_INDEX_PROJECTION] },
        },
      ],
    }),
  );
  await client.send(
    new UpdateTimeToLiveCommand({
      TableName: tableName,
      TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
    }),
  );
}
