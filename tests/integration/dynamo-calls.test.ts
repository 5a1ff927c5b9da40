import { describe, expect, it } from 'vitest';
import { measureRoundTrips } from '../../bench/operations.ts';
import { DUE_SHARDS } from '../../src/adapters/dynamo/keys.ts';
import { LEG_DAY, startTestStack, text } from '../support/stack.ts';
import { inject } from 'vitest';

/** Exact DynamoDB round trips per operation (the benchmark prints the same numbers). */
describe('DynamoDB round trips', () => {
  it('stay at their designed counts', async () => {
    const { counts, detail } = await measureRoundTrips(
      (instrument) => startTestStack({}, LEG_DAY, inject('dynamoEndpoint'), instrument),
      text,
    );
    expect(counts, JSON.stringify(detail)).toEqual({
      // GetItem user + one TransactWriteItems (user, check-in, 6 reminders, consent, dedupe, rate counters).
      firstLegsDone: 2,
      // ... + a Query for the previous leg day's pending reminders, cancelled in the same transaction.
      repeatLegsDone: 3,
      // GetItem user + TransactWriteItems (pain report, user, dedupe, rate counters).
      pain: 2,
      // GetItem user + Query pending + TransactWriteItems (opt-out, cancellations, consent, dedupe).
      stop: 3,
      // The claim (a transaction with the user check and the person's hourly slot) and the result.
      perReminderSent: 2,
      // One Query per shard of the due index.
      sweepQueries: DUE_SHARDS,
      // GetItem profile + GetItem address owner + TransactWriteItems (profile, owner, consent, confirmation counter).
      emailSignUp: 3,
      // GetItem address owner + GetItem profile + TransactWriteItems (status, consent).
      emailConfirm: 3,
      // GetItem address owner + GetItem profile + TransactWriteItems + UpdateItem (the reply went out).
      emailLegsDone: 4,
    });
  });
});
