import type { Server } from 'node:http';
import { freePort } from './dynamo-local.ts';

/** A local port we need is taken; start.ts prints the message alone, with what to set. */
export class PortInUseError extends Error {
  override name = 'PortInUseError';
}

export interface SesLocal {
  /** The SES API endpoint and the web viewer of every email sent (its /store lists them as JSON). */
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts aws-ses-v2-local in this process: the real SES query API (SendRawEmail included) on a
 * local port, keeping every email for its viewer instead of delivering it. Port 0 picks a free one.
 */
export async function startSesLocal(port: number): Promise<SesLocal> {
  type Start = (c: { host: string; port: number }) => Promise<Server>;
  // A CommonJS module: Node's ESM loader puts its exports under default, with its own default inside.
  const mod = (await import('aws-ses-v2-local')) as unknown as { default: Start | { default: Start } };
  const start = typeof mod.default === 'function' ? mod.default : mod.default.default;
  const chosen = port === 0 ? await freePort() : port;
  let server: Server;
  try {
    server = await start({ host: '127.0.0.1', port: chosen });
    // Express 5 calls back even when listening failed (a port in use): check it really listens.
    if (!server.listening) throw new Error('port in use');
  } catch (err) {
    throw new PortInUseError(`Could not start the local SES on port ${chosen} (${String(err)}). Set SES_PORT to a free port.`);
  }
  return {
    url: `http://127.0.0.1:${chosen}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
