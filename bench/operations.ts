import { countCalls, type CallCounter } from '../src/adapters/dynamo/call-counter.ts';
import { buildMime } from '../src/adapters/ses/mime.ts';
import type { LocalStack } from '../src/local/stack.ts';

/**
 * DynamoDB round trips per operation, through the real webhook and sweeper. Shared by the
 * benchmark (which prints them) and tests/integration/dynamo-calls.test.ts (which holds them exact).
 */
export type StartStack = (instrument: (client: import('@aws-sdk/client-dynamodb').DynamoDBClient) => void) => Promise<LocalStack>;

export interface RoundTrips {
  firstLegsDone: number;
  repeatLegsDone: number;
  pain: number;
  stop: number;
  perReminderSent: number;
  sweepQueries: number;
  emailSignUp: number;
  emailConfirm: number;
  emailLegsDone: number;
}

export async function measureRoundTrips(
  start: StartStack,
  text: (stack: LocalStack, from: string, body: string) => Promise<unknown>,
): Promise<{ counts: RoundTrips; detail: Record<string, Record<string, number>> }> {
  let counter: CallCounter | undefined;
  const stack = await start((client) => {
    counter = countCalls(client);
  });
  // One sweep at a moment, as the per-minute sweeper runs (not /dev/clock, which replays several);
  // no delivery reports, whose writes would land in whichever count is running when they arrive.
  const advance = async (s: LocalStack, minutes: number) => s.sweep(s.clock.advance(minutes));
  if (stack.twilio) stack.twilio.reportDelivery = false;
  try {
    const detail: Record<string, Record<string, number>> = {};
    const measure = async (name: string, fn: () => Promise<unknown>) => {
      counter!.reset();
      await fn();
      detail[name] = Object.fromEntries(counter!.calls);
      return counter!.total();
    };
    const phone = '+15550001111';
    const firstLegsDone = await measure('first "legs done"', () => text(stack, phone, 'legs done'));
    const repeatLegsDone = await measure('repeat "legs done"', () => text(stack, phone, 'legs done'));
    const pain = await measure('"pain"', () => text(stack, phone, 'pain'));
    // One reminder due: the first of the plan, the next morning.
    let sent = 0;
    const sweep = await measure('sweep sending 1 reminder', async () => {
      sent = (await advance(stack, 24 * 60)).sent.length;
    });
    const emptySweep = await measure('sweep finding nothing', () => advance(stack, 1));
    const stop = await measure('STOP', () => text(stack, phone, 'STOP'));
    if (sent !== 1) throw new Error(`expected one reminder in the measured sweep, got ${sent}`);

    const email = 'round-trips@example.com';
    const emailSignUp = await measure('email sign-up', () =>
      fetch(stack.url + '/', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ channels: 'email', email, timezone: 'America/New_York', consent: 'yes' }).toString(),
      }),
    );
    const link = stack.email.confirmUrl(email, stack.clock.now()).replace(stack.publicUrl, stack.url);
    const emailConfirm = await measure('email confirmation link', () => fetch(link, { method: 'POST' }));
    const raw = await buildMime({ from: email, to: 'coach@legday.local', subject: 'legs done', text: '' });
    const pass = 'PASS' as const;
    const emailLegsDone = await measure('email "legs done"', () =>
      stack.receiveEmail({ raw, sesMessageId: 'round-trips-1', verdicts: { spam: pass, virus: pass, spf: pass, dkim: pass, dmarc: pass } }),
    );
    return {
      counts: { firstLegsDone, repeatLegsDone, pain, stop, perReminderSent: sweep - emptySweep, sweepQueries: emptySweep, emailSignUp, emailConfirm, emailLegsDone },
      detail,
    };
  } finally {
    await stack.stop();
  }
}
