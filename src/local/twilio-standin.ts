import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';

/**
 * A local stand-in for Twilio's Messages REST API, enough for the real `twilio` client: it checks
 * Basic auth, takes the form-encoded create call, answers Twilio-shaped JSON, and records what
 * would have been texted. Tests use `fault` to make it fail like Twilio does.
 */
export interface StandinMessage {
  sid: string;
  to: string;
  from: string;
  body: string;
}

export type Fault =
  | { status: number; code: number; message: string }
  /** Never answer: the client's timeout must fire. */
  | 'hang';

export interface TwilioStandin {
  url: string;
  messages: StandinMessage[];
  /** Decides per request whether to fail it; null to accept. */
  fault: ((msg: Omit<StandinMessage, 'sid'>) => Fault | null) | null;
  /** Added before every answer. */
  latencyMs: number;
  stop(): Promise<void>;
}

export async function startTwilioStandin(opts: {
  accountSid: string;
  authToken: string;
  port?: number;
  onMessage?: (message: StandinMessage) => void;
}): Promise<TwilioStandin> {
  const expectedAuth = 'Basic ' + Buffer.from(`${opts.accountSid}:${opts.authToken}`).toString('base64');
  const hung = new Set<IncomingMessage>();
  const state: TwilioStandin = {
    url: '',
    messages: [],
    fault: null,
    latencyMs: 0,
    stop: async () => {},
  };
  const server: Server = createServer(async (req, res) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const error = (status: number, code: number, message: string) =>
      send(status, { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status });

    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (state.latencyMs > 0) await new Promise((r) => setTimeout(r, state.latencyMs));

    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const m = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/.exec(path);
    if (req.method !== 'POST' || !m) return error(404, 20404, 'The requested resource was not found');
    if (req.headers.authorization !== expectedAuth || m[1] !== opts.accountSid) {
      return error(401, 20003, 'Authenticate');
    }
    const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
    const to = form.get('To') ?? '';
    const from = form.get('From') ?? form.get('MessagingServiceSid') ?? '';
    const body = form.get('Body') ?? '';
    if (!/^\+[1-9]\d{6,14}$/.test(to)) return error(400, 21211, `The 'To' number ${to} is not a valid phone number.`);
    if (!from) return error(400, 21603, "A 'From' or 'MessagingServiceSid' parameter is required");
    if (!body) return error(400, 21602, 'Message body is required.');

    const fault = state.fault?.({ to, from, body }) ?? null;
    if (fault === 'hang') {
      hung.add(req);
      req.on('close', () => hung.delete(req));
      return;
    }
    if (fault) return error(fault.status, fault.code, fault.message);

    const sid = 'SM' + randomUUID().replace(/-/g, '');
    const message = { sid, to, from, body };
    state.messages.push(message);
    opts.onMessage?.(message);
    send(201, {
      sid,
      account_sid: opts.accountSid,
      to,
      from,
      body,
      status: 'queued',
      num_segments: '1',
      direction: 'outbound-api',
      uri: `/2010-04-01/Accounts/${opts.accountSid}/Messages/${sid}.json`,
    });
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.stop = () =>
    new Promise((resolve) => {
      for (const req of hung) req.socket.destroy();
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return state;
}
