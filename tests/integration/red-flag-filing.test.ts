import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkinSk, reminderPrefix } from '../../src/adapters/dynamo/keys.ts';
import { parseRedFlag } from '../../src/adapters/dynamo/items.ts';
import type { LocalStack } from '../../src/local/stack.ts';
import { itemsOf, startTestStack, text } from '../support/stack.ts';

/** How a warning sign is stored in the table: beside the leg day it followed (docs/table-design.md). */
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
