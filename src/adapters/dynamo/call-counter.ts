import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

export interface CallCounter {
  /** Round trips per command ("GetItemCommand": 2 ...), retries included. */
  calls: Map<string, number>;
  /** Read capacity the calls consumed, as DynamoDB reports it. */
  readUnits: number;
  total(): number;
  reset(): void;
}

/**
 * Counts DynamoDB round trips and consumed read capacity with SDK middleware. Used by the
 * benchmark and by the tests that hold each operation to an exact number of calls.
 */
export function countCalls(client: DynamoDBClient): CallCounter {
  const counter: CallCounter = {
    calls: new Map(),
    readUnits: 0,
    total: () => [...counter.calls.values()].reduce((a, b) => a + b, 0),
    reset() {
      counter.calls.clear();
      counter.readUnits = 0;
    },
  };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as Record<string, unknown>;
      if (context.commandName === 'QueryCommand' || context.commandName === 'GetItemCommand') input.ReturnConsumedCapacity ??= 'TOTAL';
      const result = await next(args);
      const out = result.output as { ConsumedCapacity?: { CapacityUnits?: number } };
      counter.readUnits += out.ConsumedCapacity?.CapacityUnits ?? 0;
      return result;
    },
    { step: 'initialize', name: 'legdayConsumedCapacity' },
  );
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = context.commandName ?? 'unknown';
      counter.calls.set(name, (counter.calls.get(name) ?? 0) + 1);
      return next(args);
    },
    // finalizeRequest runs once per HTTP attempt: a retried call counts as the round trips it made.
    { step: 'finalizeRequest', name: 'legdayCallCounter' },
  );
  return counter;
}
