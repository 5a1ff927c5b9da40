import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A local S3 (the @20minutes/s3rver fork of s3rver: pure JavaScript, kept up to date, Node 20+)
 * for the inbound-email function, which reads the mail that SES's receipt rule stored. It checks
 * SigV4 signatures like S3 does, for the access keys it is given. Objects live in a temporary
 * directory removed on stop.
 */
export interface S3Local {
  /** For AWS_ENDPOINT_URL_S3: an IP address, so the SDK addresses buckets by path. */
  url: string;
  stop(): Promise<void>;
}

interface S3rver {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}
type S3rverClass = new (opts: {
  address: string;
  port: number;
  silent: boolean;
  directory: string;
  configureBuckets: { name: string }[];
  vhostBuckets: boolean;
}) => S3rver;

export async function startS3Local(opts: { buckets: string[]; credentials: { accessKeyId: string; secretAccessKey: string } }): Promise<S3Local> {
  const require = createRequire(import.meta.url);
  const S3rver = require('@20minutes/s3rver') as S3rverClass;
  // s3rver knows one key pair (S3RVER); the callers' is added to the same account.
  const { DUMMY_ACCOUNT } = require('@20minutes/s3rver/lib/models/account') as { DUMMY_ACCOUNT: { createKeyPair(id: string, secret: string): void } };
  DUMMY_ACCOUNT.createKeyPair(opts.credentials.accessKeyId, opts.credentials.secretAccessKey);
  const directory = mkdtempSync(join(tmpdir(), 'legday-s3-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: opts.buckets.map((name) => ({ name })), vhostBuckets: false });
  const { port } = await server.run();
  return {
    url: `http://127.0.0.1:${port}`,
    async stop() {
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
