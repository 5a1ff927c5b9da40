import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { awsClientOptions } from '../aws-client.ts';

/** Reads a received message that the SES receipt rule stored in S3. */
export function createRawMailReader(opts: { region: string; bucket: string; prefix: string; timeoutMs?: number }) {
  const client = new S3Client(awsClientOptions({ region: opts.region, timeoutMs: opts.timeoutMs ?? 5000, maxAttempts: 3 }));
  return async (sesMessageId: string): Promise<Buffer> => {
    // SES names the object after the message id; anything else in the id is not SES's.
    if (!/^[\w.-]{1,200}$/.test(sesMessageId)) throw new Error('unexpected SES message id');
    const res = await client.send(new GetObjectCommand({ Bucket: opts.bucket, Key: `${opts.prefix}${sesMessageId}` }));
    return Buffer.from(await res.Body!.transformToByteArray());
  };
}
