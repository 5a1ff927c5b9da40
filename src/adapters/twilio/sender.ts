import type { Twilio } from 'twilio';
import { GAVE_UP, SendError, type SmsSender } from '../../use-cases/ports.ts';

export interface TwilioSenderOptions {
  accountSid: string;
  authToken: string;
  /** The sending number (E.164) or a Messaging Service SID (MG...). */
  from: string;
  /** Points the real client at a stand-in (local mode and tests); absent in production. */
  apiBaseUrl?: string;
  timeoutMs?: number;
  /**
   * Where Twilio reports each text's delivery (PUBLIC_URL + /webhooks/twilio/status). The reminder a
   * text is for goes in its query (u, s, k), which Twilio signs with the rest of the URL.
   */
  statusCallbackUrl?: string;
}

/** The status callback URL for one reminder's text. */
export function statusCallbackFor(base: string, ref: { userId: string; series: string; stepId: string } | undefined): string {
  return ref ? `${base}?${new URLSearchParams({ u: ref.userId, s: ref.series, k: ref.stepId }).toString()}` : base;
}

/** Twilio error codes that mean the number must not be texted again. */
const OPTED_OUT = new Set([21610]);
const UNREACHABLE = new Set([21211, 21614, 30005, 30006]);

/**
 * Sends texts through the real `twilio` REST client. The client (with axios and friends) is
 * imported on first send, so code paths that never send, like the webhook, never load it.
 */
export function createTwilioSender(opts: TwilioSenderOptions): SmsSender {
  let client: Promise<Twilio> | undefined;
  const load = () =>
    (client ??= import('twilio').then(({ default: twilio }) => {
      const http = new twilio.RequestClient({ timeout: opts.timeoutMs ?? 10_000 });
      const base = opts.apiBaseUrl;
      const httpClient = base
        ? Object.assign(Object.create(http) as typeof http, {
            request: (req: Parameters<typeof http.request>[0]) => {
              const u = new URL(req.uri);
              return http.request({ ...req, uri: new URL(u.pathname + u.search, base).href });
            },
          })
        : http;
      return twilio(opts.accountSid, opts.authToken, { httpClient, autoRetry: false });
    }));

  return {
    async send({ to, body, ref }) {
      const api = await load();
      // A Messaging Service (MG...) picks a number from its pool, the same one for a person each time (sticky sender).
      const sender = opts.from.startsWith('MG') ? { messagingServiceSid: opts.from } : { from: opts.from };
      const callback = opts.statusCallbackUrl ? { statusCallback: statusCallbackFor(opts.statusCallbackUrl, ref) } : {};
      try {
        const msg = await api.messages.create({ to, body, ...sender, ...callback });
        return { id: msg.sid };
      } catch (err) {
        throw toSendError(err);
      }
    },

    async findSent({ to, body, since }) {
      const api = await load();
      try {
        const recent = await api.messages.list({ to, dateSentAfter: since, limit: 50 });
        // Twilio's message resource does not return the StatusCallback a message was sent with (nor
        // anything else the sender set but its body), so no per-reminder marker can be matched here:
        // the same words to the same number, sent through the API (not a reply), since `since`.
        // A message Twilio gave up on never reached the phone: sending again is right then.
        const match = recent.find(
          (m) =>
            m.body === body &&
            !GAVE_UP.includes(String(m.status)) &&
            (!m.direction || m.direction === 'outbound-api') &&
            (m.dateSent ?? m.dateCreated ?? since).getTime() >= since.getTime(),
        );
        return match ? { id: match.sid } : null;
      } catch (err) {
        throw toSendError(err);
      }
    },
  };
}

export function toSendError(err: unknown): SendError {
  const e = err as { status?: number; code?: number | string; message?: string };
  const message = String(e?.message ?? err).slice(0, 300);
  if (typeof e?.status === 'number') {
    const code = Number(e.code);
    if (OPTED_OUT.has(code)) return new SendError('opted-out', String(code), message);
    if (UNREACHABLE.has(code)) return new SendError('unreachable', String(code), message);
    if (e.status >= 500 || e.status === 429 || code === 20429) return new SendError('transient', String(e.code ?? e.status), message);
    return new SendError('rejected', String(e.code ?? e.status), message);
  }
  // No HTTP status: a timeout, a reset socket, a refused connection. Worth another try, and unless
  // the connection was never made, Twilio may have the message already.
  const code = String(e?.code ?? 'network');
  const neverConnected = code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN';
  return new SendError('transient', code, message, !neverConnected);
}
