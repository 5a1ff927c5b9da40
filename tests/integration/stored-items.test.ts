import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { INBOUND_SK, checkinSk, inboundPk, reminderPrefix } from '../../src/adapters/dynamo/keys.ts';
import { parseRedFlag } from '../../src/adapters/dynamo/items.ts';
import { createDynamoClient, documentClient } from '../../src/adapters/dynamo/client.ts';
import { createDynamoStore } from '../../src/adapters/dynamo/store.ts';
import { planReminders } from '../../src/core/plan.ts';
import type { LocalStack } from '../../src/local/stack.ts';
import { LEG_DAY, itemsOf, newMessageSid, postWebhook, smsParams, startTestStack, text } from '../support/stack.ts';

/**
 * Where the DynamoDB item itself is the point: its keys (docs/table-design.md), its TTL, and what
 * the adapter does with an item it cannot read. What the coach does (what it answers, schedules,
 * sends, pauses) is tested on the in-memory repositories, in tests/use-cases.
 */
let stack: LocalStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.stop();
});

describe('a check-in with a symptom', () => {
  it('files its warning sign under the check-in, and stores no reminders', async () => {
    const phone = '+15552990001';
    await text(stack, phone, 'legs done, numb feet');
    const items = await itemsOf(stack, phone);
    const checkin = items.find((i) => i.type === 'checkin')!;
    const flag = items.find((i) => i.type === 'red-flag')!;
    expect(parseRedFlag(flag)).toMatchObject({ tier: 'soon', signs: ['leg-numbness'], checkinId: checkin.id, text: 'legs done, numb feet' });
    expect(String(flag.SK)).toContain(checkinSk(String(checkin.at), String(checkin.id)));
    expect(items.filter((i) => String(i.SK).startsWith(reminderPrefix(String(checkin.id))))).toEqual([]);
    expect(items.filter((i) => i.type === 'reminder')).toEqual([]);
  });
});

describe('duplicate deliveries', () => {
  it('dedupe records expire (TTL) a week after arrival', async () => {
    const phone = '+15552990002';
    const sid = newMessageSid();
    await postWebhook(stack, smsParams(phone, 'help', sid));
    const db = documentClient(createDynamoClient({ region: 'us-east-1', endpoint: stack.dynamo.endpoint }));
    const item = (await db.send(new GetCommand({ TableName: stack.tableName, Key: { PK: inboundPk(sid), SK: INBOUND_SK } }))).Item!;
    db.destroy();
    const now = stack.clock.now().getTime() / 1000;
    expect(Number(item.ttl)).toBeGreaterThan(now + 6 * 86400);
    expect(Number(item.ttl)).toBeLessThan(now + 8 * 86400);
  });
});

describe('the sweeper', () => {
  // Test numbers are +1555: DEFAULT_TIMEZONE (America/New_York) applies.
  const plan = (spreadKey?: string) =>
    planReminders({ channels: ['sms'], checkinId: 'x', checkinAt: LEG_DAY, zone: 'America/New_York', gapDays: 7, caps: null, ...(spreadKey ? { spreadKey } : {}) });
  const firstStep = plan().find((r) => r.channel === 'sms')!;
  let n = 0;
  /** A fresh number that checked in at LEG_DAY (the stack's clock never moves in this file). */
  async function checkedIn(): Promise<string> {
    const phone = `+1555${String(2991000 + ++n).padStart(7, '0')}`;
    expect((await postWebhook(stack, smsParams(phone, 'legs done'))).status).toBe(200);
    return phone;
  }
  const reminder = async (phone: string, stepId: string) => (await itemsOf(stack, phone)).find((i) => i.type === 'reminder' && i.stepId === stepId)!;
  /** The moment every one of these numbers' first texts is due. */
  const allDue = (phones: string[]) => new Date(Math.max(...phones.map((p) => plan(p)[0]!.dueAt.getTime())));

  it('a due reminder stored broken is skipped and named (masked), not a stop to every sweep; it can still be cancelled', async () => {
    const [broken, healthy] = [await checkedIn(), await checkedIn()];
    const db = documentClient(createDynamoClient({ region: 'us-east-1', endpoint: stack.dynamo.endpoint }));
    const item = await reminder(broken, firstStep.stepId);
    await db.send(new UpdateCommand({ TableName: stack.tableName, Key: { PK: item.PK, SK: item.SK }, UpdateExpression: 'REMOVE #to', ExpressionAttributeNames: { '#to': 'to' } }));
    const told: string[] = [];
    const store = createDynamoStore(db, stack.tableName, { onBrokenItem: (err) => told.push(err.message) });
    const due = await store.findDueReminders(allDue([broken, healthy]), 1000);
    expect(due.some((r) => r.userId === healthy)).toBe(true);
    expect(due.some((r) => r.userId === broken)).toBe(false);
    expect(told).toHaveLength(1);
    expect(told[0]).toMatch(/broken due reminder item .*: to is not a string/);
    expect(told[0]).not.toContain(broken.slice(2));
    // Cancelling reads only what it needs: STOP still reaches this reminder.
    expect((await store.pendingReminders(broken, String(item.series))).map((r) => r.stepId)).toContain(firstStep.stepId);
    db.destroy();
  });
});
