import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Store } from '../../use-cases/ports.ts';
import { createDynamoDecisionLog } from './decisions.ts';
import { createDynamoInbound } from './inbound.ts';
import { createDynamoLinks } from './links.ts';
import { createDynamoReminders, type OnBrokenItem } from './reminders.ts';
import { createDynamoUsers } from './users.ts';

/**
 * The repositories over one table (docs/table-design.md), composed into the whole Store.
 * `onBrokenItem` hears of a due reminder that cannot be read: the sweep skips it and goes on.
 */
export function createDynamoStore(db: DynamoDBDocumentClient, tableName: string, opts: { onBrokenItem?: OnBrokenItem } = {}): Store {
  return {
    ...createDynamoUsers(db, tableName),
    ...createDynamoLinks(db, tableName),
    ...createDynamoInbound(db, tableName),
    ...createDynamoReminders(db, tableName, opts.onBrokenItem),
    ...createDynamoDecisionLog(db, tableName),
  };
}
