import { afterEach, describe, expect, it } from 'vitest';
import { JavaMissingError, startDynamoLocal } from '../../src/local/dynamo-local.ts';

describe('startDynamoLocal', () => {
  const path = process.env.PATH;
  afterEach(() => {
    process.env.PATH = path;
  });

  it('says plainly that Java is missing, and how to get it', async () => {
    process.env.PATH = '/nonexistent';
    const err = await startDynamoLocal().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(JavaMissingError);
    expect((err as Error).message).toMatch(/Java 17/);
    expect((err as Error).message).toMatch(/apt-get install/);
  });
});
