import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { awsClientOptions } from '../aws-client.ts';

/** What a stored message turned out to be: its bytes, or too large to read at all. */
export type RawMail = { raw: Buffer } | { tooLarge: number };

/**
 * Reads a received message that the SES receipt rule stored in S3. Only the first `maxBytes` + 1
 * bytes are ever downloaded (a ranged GET): a larger message is refused without being read.
 */
export function createRawMailReader(opts: { region: string; bucket: string; prefix: string; maxBytes: number; timeoutMs?: number }) {
  const client = new S3Client(awsClientOptions({ region: opts.region, timeoutMs: opts.timeoutMs ?? 5000, maxAttempts: 3 }));
  return async (sesMessageId: string): Promise<RawMail> => {
    // SES names the object after the message id; anything else in the id is not SES's.
    if (!/^[\w.-]{1,200}$/.test(sesMessageId)) throw new Error('unexpected SES message id');
    const res = await client.send(
      new GetObjectCommand({ Bucket: opts.bucket, Key: `${opts.prefix}${sesMessageId}`, Range: `bytes=0-${opts.maxBytes}` }),
    );
    // "bytes 0-N/TOTAL": the whole object's size, whatever the range.
    const total = Number(/\/(\d+)$/.exec(res.ContentRange ?? '')?.[1] ?? res.ContentLength ?? 0);
    if (total > opts.maxBytes) {
      await res.Body?.transformToByteArray().catch(() => undefined);
      return { tooLarge: total };
    }
    return { raw: Buffer.from(await res.Body!.transformToByteArray()) };
  };
}
