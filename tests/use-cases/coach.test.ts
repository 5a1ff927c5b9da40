import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DISCLOSURE, SMS, render } from '../../src/content/index.ts';
import type { MemoryStack } from '../../src/local/stack.ts';
import { confirmedEmailUser, sesEmails } from '../support/email.ts';
import { advance, outbox, post, startMemoryStack, text } from '../support/stack.ts';

/**
 * The understanding layer end to end: texts through POST /dev/sms and emails through
 * POST /dev/email, into the real app, the in-memory repositories and the local SES.
 */
let stack: MemoryStack;
beforeAll(async () => {
  stack = await startMemoryStack();
});
afterAll(async () => {
  await stack?.stop();
});

let n = 0;
const newPhone = () => `+1555200${String(++n).padStart(4, '0')}`;

describe('texts as people send them', () => {
  it('"🦵✅" enrols and plans; "ice or heat?" is answered from the hours since; "thanks" gets a short word', async () => {
    const phone = newPhone();
    expect(await text(stack, phone, '🦵✅')).toBe(SMS.checkinFirst);
    expect(await text(stack, phone, 'ice or heat?')).toMatch(/^Under 48h since leg day: ice only a sharp or swollen spot/);
    expect(await text(stack, phone, 'thanks')).toBe(SMS.smallThanks);
    expect(await text(stack, phone, 'ok')).toBeNull();
  });

  it('a stranger\'s first text, whatever it says, carries the disclosures', async () => {
    expect(await text(stack, newPhone(), 'how do I brace?')).toBe(`${SMS.answerBracing} ${DISCLOSURE}`);
  });

  it('a check-in with a symptom is logged with its warning sign, counted, and gets no exercise plan', async () => {
    const phone = newPhone();
    const before = stack.metrics.totals.get('RedFlagSoon') ?? 0;
    // A first message: the disclosures ride along.
    expect(await text(stack, phone, 'legs done, numb feet')).toBe(`${render(SMS.redFlagSoon, { noticed: 'numbness or tingling down a leg' })} ${DISCLOSURE}`);
    expect(stack.metrics.totals.get('RedFlagSoon')).toBe(before + 1);
    // The leg day is logged, with nothing scheduled after it (how the flag is filed: tests/integration/stored-items.test.ts).
    const user = await stack.store.getUser(phone);
    expect(user?.recent).toHaveLength(1);
    expect(await stack.store.listReminders(phone, user!.recent[0]!.id)).toEqual([]);
  });

  it('"pause for 2 weeks" holds every scheduled text; STATUS says so; RESUME plans what is still ahead', async () => {
    const phone = newPhone();
    await text(stack, phone, 'legs done');
    expect(await text(stack, phone, 'going on holiday, pause the texts for 2 weeks')).toMatch(/^Paused until /);
    const during = await advance(stack, 3 * 24 * 60);
    expect(during.sent.filter((m) => m.to === phone)).toEqual([]);
    expect(await text(stack, phone, 'status')).toMatch(/^Paused until .*Text RESUME/);
    expect(await text(stack, phone, 'resume')).toMatch(/^Texts back on\. Next: /);
    const after = await advance(stack, 2 * 24 * 60);
    expect(after.sent.filter((m) => m.to === phone).length).toBeGreaterThan(0);
  });
});

describe('email uses the same layer', () => {
  it('finds the words past "Hi coach," and triages the whole reply, not its first line', async () => {
    const email = `coach-${Date.now()}@example.com`;
    await confirmedEmailUser(stack, email);
    const body = 'Hi coach,\n\nLegs done, squats felt heavy.\n\nOne odd thing since yesterday: I cant feel my bum when I wipe.\n\nCheers,\nAl';
    const res = await post<{ outcome: string }>(stack, '/dev/email', { from: email, subject: 'Re: Day 1 after leg day', text: body });
    expect(res.status).toBe(200);
    const reply = (await sesEmails(stack, email)).at(-1)!;
    expect(reply.body.text).toMatch(/numbness or tingling around the groin or buttocks/);
    expect(reply.body.text).not.toMatch(/90\/90|foam roll|dead hang/);
    const sent = await outbox(stack, email);
    expect(sent.at(-1)).toMatchObject({ channel: 'email' });
  });
});
