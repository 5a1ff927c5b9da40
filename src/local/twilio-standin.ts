import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { signTwilioRequest } from '../adapters/twilio/signature.ts';

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
  dateSent: string;
  /** Where the sender asked for delivery reports, if it did. */
  statusCallback?: string;
  /** What Twilio's log reports for it: queued until the callbacks have gone, or what a test says the carrier did. */
  status?: string;
  errorCode?: number;
}

/** What the stand-in reports for a taken message: delivered unless told otherwise. */
export type DeliveryOutcome = { status: 'delivered' } | { status: 'undelivered' | 'failed'; errorCode: number };

export type Fault =
  | { status: number; code: number; message: string }
  /** Never answer: the client's timeout must fire. */
  | 'hang'
  /** Take the message (it is sent), then never answer: the ambiguous case. */
  | 'accept-then-hang';

export interface TwilioStandin {
  url: string;
  messages: StandinMessage[];
  /** Decides per request whether to fail it; null to accept. */
  fault: ((msg: Omit<StandinMessage, 'sid' | 'dateSent'>) => Fault | null) | null;
  /** Added before every answer. */
  latencyMs: number;
  /** Whether to call status callbacks at all (on by default, as Twilio does when asked). */
  reportDelivery: boolean;
  /** Decides the delivery report per message (the status callback); null for "delivered". */
  delivery: ((msg: Omit<StandinMessage, 'sid' | 'dateSent'>) => DeliveryOutcome | null) | null;
  /** How many times the message log was listed (a sender looking for an earlier send). */
  lookups: number;
  /** Resolves once every status callback started so far has been answered. */
  settled(): Promise<void>;
  stop(): Promise<void>;
}

export async function startTwilioStandin(opts: {
  accountSid: string;
  authToken: string;
  port?: number;
  /** The service's clock, so message dates agree with it. */
  now: () => Date;
  onMessage?: (message: StandinMessage) => void;
}): Promise<TwilioStandin> {
  const expectedAuth = 'Basic ' + Buffer.from(`${opts.accountSid}:${opts.authToken}`).toString('base64');
  const hung = new Set<IncomingMessage>();
  const state: TwilioStandin = {
    url: '',
    messages: [],
    fault: null,
    latencyMs: 0,
    reportDelivery: true,
    delivery: null,
    lookups: 0,
    settled: async () => {
      while (inFlight.size) await Promise.allSettled([...inFlight]);
    },
    stop: async () => {},
  };
  const inFlight = new Set<Promise<void>>();
  /**
   * As Twilio does after taking a message: POSTs "sent", then the final state, to the callback URL,
   * signed with the auth token over that URL. Unanswered or refused callbacks are logged by the
   * app's side; the stand-in does not retry.
   */
  const report = (message: StandinMessage) => {
    if (!message.statusCallback || !state.reportDelivery) return;
    const outcome = state.delivery?.(message) ?? { status: 'delivered' as const };
    const run = (async () => {
      for (const step of [{ status: 'sent' as const }, outcome]) {
        const params: Record<string, string> = {
          AccountSid: opts.accountSid,
          MessageSid: message.sid,
          SmsSid: message.sid,
          MessageStatus: step.status,
          SmsStatus: step.status,
          To: message.to,
          From: message.from,
          ApiVersion: '2010-04-01',
          ...('errorCode' in step ? { ErrorCode: String(step.errorCode) } : {}),
        };
        message.status = step.status;
        if ('errorCode' in step) message.errorCode = step.errorCode;
        try {
          await fetch(message.statusCallback!, {
            method: 'POST',
            headers: {
              'content-type': 'application/x-www-form-urlencoded',
              'x-twilio-signature': signTwilioRequest(opts.authToken, message.statusCallback!, params),
            },
            body: new URLSearchParams(params).toString(),
            signal: AbortSignal.timeout(5000),
          }).then((r) => r.arrayBuffer());
        } catch {
          // The app is down or slow: Twilio would not retry a status callback either.
        }
      }
    })();
    inFlight.add(run);
    void run.finally(() => inFlight.delete(run));
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

    const url = new URL(req.url ?? '/', 'http://x');
    const m = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/.exec(url.pathname);
    if (!m || (req.method !== 'POST' && req.method !== 'GET')) return error(404, 20404, 'The requested resource was not found');
    if (req.headers.authorization !== expectedAuth || m[1] !== opts.accountSid) {
      return error(401, 20003, 'Authenticate');
    }
    if (req.method === 'GET') {
      // The message log, newest first, filtered as Twilio does by To and DateSent>. Like Twilio's,
      // its resources do not carry the StatusCallback a message was sent with (see toResource).
      state.lookups++;
      const to = url.searchParams.get('To');
      const after = url.searchParams.get('DateSent>');
      const found = state.messages
        .filter((msg) => (!to || msg.to === to) && (!after || msg.dateSent >= after))
        .reverse()
        .slice(0, Number(url.searchParams.get('PageSize') ?? 50))
        .map(toResource);
      return send(200, { messages: found, next_page_uri: null, previous_page_uri: null, page: 0, page_size: found.length, uri: url.pathname });
    }
    const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
    const to = form.get('To') ?? '';
    const from = form.get('From') ?? form.get('MessagingServiceSid') ?? '';
    const body = form.get('Body') ?? '';
    if (!/^\+[1-9]\d{6,14}$/.test(to)) return error(400, 21211, `The 'To' number ${to} is not a valid phone number.`);
    if (!from) return error(400, 21603, "A 'From' or 'MessagingServiceSid' parameter is required");
    if (!body) return error(400, 21602, 'Message body is required.');

    const statusCallback = form.get('StatusCallback') ?? undefined;
    if (statusCallback !== undefined && !/^https?:\/\//.test(statusCallback)) {
      return error(400, 21609, `The StatusCallback URL ${statusCallback} is not a valid URL.`);
    }
    const fault = state.fault?.({ to, from, body }) ?? null;
    if (fault === 'accept-then-hang') {
      const message = { sid: 'SM' + randomUUID().replace(/-/g, ''), to, from, body, dateSent: opts.now().toISOString(), statusCallback, status: 'queued' };
      state.messages.push(message);
      opts.onMessage?.(message);
      report(message);
    }
    if (fault === 'hang' || fault === 'accept-then-hang') {
      hung.add(req);
      req.on('close', () => hung.delete(req));
      return;
    }
    if (fault) return error(fault.status, fault.code, fault.message);

    const sid = 'SM' + randomUUID().replace(/-/g, '');
    const message: StandinMessage = { sid, to, from, body, dateSent: opts.now().toISOString(), status: 'queued', ...(statusCallback ? { statusCallback } : {}) };
    state.messages.push(message);
    opts.onMessage?.(message);
    send(201, toResource(message));
    // After the answer, as Twilio does: the sender has its SID before any report arrives.
    res.once('finish', () => report(message));
  });
  const toResource = (msg: StandinMessage) => ({
    sid: msg.sid,
    account_sid: opts.accountSid,
    to: msg.to,
    from: msg.from,
    body: msg.body,
    status: msg.status ?? 'queued',
    error_code: msg.errorCode ?? null,
    num_segments: '1',
    direction: 'outbound-api',
    date_sent: new Date(msg.dateSent).toUTCString(),
    date_created: new Date(msg.dateSent).toUTCString(),
    uri: `/2010-04-01/Accounts/${opts.accountSid}/Messages/${msg.sid}.json`,
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.stop = async () => {
    await state.settled();
    await new Promise<void>((resolve) => {
      for (const req of hung) req.socket.destroy();
      server.closeAllConnections();
      server.close(() => resolve());
    });
  };
  return state;
}
