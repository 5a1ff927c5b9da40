import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for Secrets Manager's GetSecretValue, enough for the AWS SDK client (and
 * Powertools' getSecret) pointed at it with AWS_ENDPOINT_URL_SECRETS_MANAGER. It answers the
 * secrets it was given, by ARN or name, and ResourceNotFoundException for any other.
 */
export interface SecretsStandin {
  url: string;
  /** The SecretId of every GetSecretValue call, in order. */
  reads: string[];
  /** While true, every call gets a 500 InternalServiceError (an outage, for the failure paths). */
  down: boolean;
  /** While true, calls are never answered (a hung service, for the timeouts). */
  hang: boolean;
  stop(): Promise<void>;
}

/** A fake account's ARN for a secret name, in the shape Secrets Manager gives (a 6-character suffix). */
export const secretArn = (name: string, region = 'us-east-1') => `arn:aws:secretsmanager:${region}:123456789012:secret:${name}-AbCdEf`;

export async function startSecretsStandin(secrets: Record<string, string>): Promise<SecretsStandin> {
  const reads: string[] = [];
  const byId = new Map<string, { arn: string; name: string; value: string }>();
  for (const [id, value] of Object.entries(secrets)) {
    const arn = id.startsWith('arn:') ? id : secretArn(id);
    const name = id.startsWith('arn:') ? (id.split(':secret:')[1] ?? id).replace(/-[A-Za-z0-9]{6}$/, '') : id;
    const entry = { arn, name, value };
    byId.set(arn, entry);
    byId.set(name, entry);
  }
  const answer = (res: import('node:http').ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
    res.end(JSON.stringify(body));
  };
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      if (req.method !== 'POST' || target !== 'secretsmanager.GetSecretValue') {
        return answer(res, 400, { __type: 'InvalidRequestException', message: `not supported by the stand-in: ${target || req.method}` });
      }
      let id = '';
      try {
        id = String((JSON.parse(body) as { SecretId?: unknown }).SecretId ?? '');
      } catch {
        return answer(res, 400, { __type: 'SerializationException', message: 'body is not JSON' });
      }
      reads.push(id);
      if (standin.hang) return;
      if (standin.down) return answer(res, 500, { __type: 'InternalServiceError', message: 'stand-in told to be down' });
      const secret = byId.get(id);
      if (!secret) return answer(res, 400, { __type: 'ResourceNotFoundException', message: "Secrets Manager can't find the specified secret." });
      answer(res, 200, { ARN: secret.arn, Name: secret.name, VersionId: 'a1b2c3d4-0000-4000-8000-000000000001', SecretString: secret.value, VersionStages: ['AWSCURRENT'], CreatedDate: 1767225600 });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const standin: SecretsStandin = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    reads,
    down: false,
    hang: false,
    stop: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
  return standin;
}
