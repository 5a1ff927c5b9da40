import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { LinkRepository } from '../../use-cases/ports.ts';
import { unprovenTtl } from '../storage-rules.ts';
import { updateIf } from './common.ts';
import { LINK_SK, userPk } from './keys.ts';
import { parseLinkRequest } from './items.ts';

export const linkKey = (phone: string) => ({ PK: userPk(phone), SK: LINK_SK });

export function createDynamoLinks(db: DynamoDBDocumentClient, tableName: string): LinkRepository {
  return {
    async linkRequest(phone) {
      const res = await db.send(new GetCommand({ TableName: tableName, Key: linkKey(phone), ConsistentRead: true }));
      return res.Item ? parseLinkRequest(res.Item) : null;
    },

    async requestLink(req, now) {
      await db.send(
        new PutCommand({
          TableName: tableName,
          Item: { ...linkKey(req.phone), type: 'link', address: req.address, status: req.status, at: req.at, ttl: unprovenTtl(now) },
        }),
      );
    },

    async markLinkAsked(phone) {
      return updateIf(db, {
        TableName: tableName,
        Key: linkKey(phone),
        UpdateExpression: 'SET #status = :asked',
        ConditionExpression: '#status = :requested',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':asked': 'asked', ':requested': 'requested' },
      });
    },
  };
}
