import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { InboundRecord, InboundRepository } from '../../use-cases/ports.ts';
import { inboundTtl } from '../storage-rules.ts';
import { INBOUND_SK, inboundPk } from './keys.ts';
import { parseInbound } from './items.ts';

const inboundKey = (messageSid: string) => ({ PK: inboundPk(messageSid), SK: INBOUND_SK });

export function createDynamoInbound(db: DynamoDBDocumentClient, tableName: string): InboundRepository {
  const read = async (messageSid: string) => {
    const res = await db.send(new GetCommand({ TableName: tableName, Key: inboundKey(messageSid), ConsistentRead: true }));
    return res.Item ? parseInbound(res.Item) : null;
  };
  return {
    async inboundReply(messageSid) {
      const record = await read(messageSid);
      return record ? record.reply : undefined;
    },

    async replyPending(messageSid) {
      const record = await read(messageSid);
      return record && record.reply !== null && record.replySentAt === null ? { reply: record.reply } : null;
    },

    async markReplySent(messageSid, at) {
      await db.send(
        new UpdateCommand({
          TableName: tableName,
          Key: inboundKey(messageSid),
          UpdateExpression: 'SET replySentAt = :at',
          ConditionExpression: 'attribute_exists(PK)',
          ExpressionAttributeValues: { ':at': at.toISOString() },
        }),
      );
    },
  };
}

/** The dedupe record's first write: refused when the message was handled before. */
export const inboundPut = (tableName: string, inbound: InboundRecord, now: Date) => ({
  TableName: tableName,
  Item: { ...inboundKey(inbound.messageSid), type: 'inbound', reply: inbound.reply, at: now.toISOString(), ttl: inboundTtl(now) },
  ConditionExpression: 'attribute_not_exists(PK)',
});
