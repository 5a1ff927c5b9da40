import { PutCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DecisionLog } from '../../use-cases/ports.ts';
import { COMMIT_CANCEL_REASON, consentRecord, historyRecords, ownerTtl, profileTtl, type HistoryRecord } from '../storage-rules.ts';
import { cancellationReasons, type TransactItem } from './common.ts';
import { inboundPut } from './inbound.ts';
import { COUNT_SK, userPk } from './keys.ts';
import { linkKey } from './links.ts';
import { cancelUpdate, reminderItem, reminderKey, rescheduleUpdate } from './reminders.ts';
import { ownerItem, userItem } from './users.ts';

/**
 * The unit of work: one TransactWriteItems across the repositories' items (profile, owner record,
 * reminders, the dedupe record, rate-limit counters, history), so a decision is stored whole or not at all.
 */
export function createDynamoDecisionLog(db: DynamoDBDocumentClient, tableName: string): DecisionLog {
  const historyPut = (userId: string, h: HistoryRecord) => ({ Put: { TableName: tableName, Item: { PK: userPk(userId), SK: h.sk, ...h.record } } });
  return {
    async commit({ decision, expectedVersion, cancel, reschedule, inbound, limits = [], claimEmail = null, now }) {
      const at = now.toISOString();
      const items: TransactItem[] = [];
      // Counters first after the dedupe record, so a refusal can be read off its position.
      const limitAt = (i: number) => (inbound ? 1 : 0) + i;
      if (inbound) items.push({ Put: inboundPut(tableName, inbound, now) });
      for (const limit of limits) {
        items.push({
          Update: {
            TableName: tableName,
            Key: { PK: limit.key, SK: COUNT_SK },
            UpdateExpression: 'ADD n :one SET #ttl = if_not_exists(#ttl, :ttl)',
            ConditionExpression: 'attribute_not_exists(n) OR n < :max',
            ExpressionAttributeNames: { '#ttl': 'ttl' },
            ExpressionAttributeValues: { ':one': 1, ':max': limit.max, ':ttl': limit.expiresAt },
          },
        });
      }
      const user = decision.user;
      if (user) {
        const ttl = profileTtl(user, now);
        items.push({
          Put: {
            TableName: tableName,
            Item: { ...userItem(user), ...(ttl === undefined ? {} : { ttl }) },
            ...(expectedVersion === null
              ? { ConditionExpression: 'attribute_not_exists(PK)' }
              : { ConditionExpression: 'version = :v', ExpressionAttributeValues: { ':v': expectedVersion } }),
          },
        });
      }
      if (user && claimEmail) {
        items.push({
          Put: {
            TableName: tableName,
            Item: ownerItem(claimEmail, user.id, at, ownerTtl(user, claimEmail, now)),
            ConditionExpression: 'attribute_not_exists(PK) OR userId = :owner',
            ExpressionAttributeValues: { ':owner': user.id },
          },
        });
      }
      if (user) {
        for (const h of historyRecords(decision)) items.push(historyPut(user.id, h));
        for (const r of decision.reminders) items.push({ Put: { TableName: tableName, Item: reminderItem(user, r, at) } });
        // Moved, not rewritten: attempts, the uncertain mark and the last error stay, so a try that
        // may have been delivered is still looked up before the next one.
        for (const r of reschedule) items.push({ Update: rescheduleUpdate(tableName, user, r, at) });
      }
      for (const ref of cancel) {
        items.push({ Update: cancelUpdate(tableName, reminderKey(ref), at, COMMIT_CANCEL_REASON) });
      }
      if (user && decision.consent) items.push(historyPut(user.id, consentRecord(decision.consent, user.version)));
      if (items.length === 0) return { outcome: 'ok' };
      try {
        if (items.length === 1 && items[0]!.Put) {
          await db.send(new PutCommand(items[0]!.Put));
        } else {
          await db.send(new TransactWriteCommand({ TransactItems: items }));
        }
        return { outcome: 'ok' };
      } catch (err) {
        const reasons = cancellationReasons(err);
        if (reasons === null) throw err;
        // The dedupe record is always first: its condition failing means "seen before".
        if (inbound && reasons[0] === 'ConditionalCheckFailed') return { outcome: 'duplicate' };
        const full = limits.findIndex((_, i) => reasons[limitAt(i)] === 'ConditionalCheckFailed');
        if (full >= 0) return { outcome: 'limited', limit: limits[full]!.name };
        return { outcome: 'conflict' };
      }
    },

    async commitLink({ phoneUser, emailUser, expected, address, consent, inbound, now }) {
      const at = now.toISOString();
      const version = (v: number) => ({ ConditionExpression: 'version = :v', ExpressionAttributeValues: { ':v': v } });
      try {
        await db.send(
          new TransactWriteCommand({
            TransactItems: [
              { Put: inboundPut(tableName, inbound, now) },
              { Put: { TableName: tableName, Item: userItem(phoneUser), ...version(expected.phone) } },
              { Put: { TableName: tableName, Item: userItem(emailUser), ...version(expected.email) } },
              {
                Put: {
                  TableName: tableName,
                  Item: ownerItem(address, phoneUser.id, at),
                  ConditionExpression: 'userId = :was',
                  ExpressionAttributeValues: { ':was': emailUser.id },
                },
              },
              {
                Update: {
                  TableName: tableName,
                  Key: linkKey(phoneUser.id),
                  UpdateExpression: 'SET #status = :linked, linkedAt = :at',
                  ConditionExpression: '#status = :asked AND address = :address',
                  ExpressionAttributeNames: { '#status': 'status' },
                  ExpressionAttributeValues: { ':linked': 'linked', ':at': at, ':asked': 'asked', ':address': address },
                },
              },
              historyPut(phoneUser.id, consentRecord(consent, phoneUser.version)),
            ],
          }),
        );
        return 'ok';
      } catch (err) {
        const reasons = cancellationReasons(err);
        if (reasons === null) throw err;
        return reasons[0] === 'ConditionalCheckFailed' ? 'duplicate' : 'conflict';
      }
    },
  };
}
