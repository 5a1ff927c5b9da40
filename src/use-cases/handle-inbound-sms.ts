import { SMS_CHANNEL, storedText } from '../core/channel.ts';
import { isAllowedCountry } from '../core/limits.ts';
import { understand, type Intent } from '../core/understanding/index.ts';
import { handleInbound, type InboundDeps } from './handle-inbound.ts';
import { answerLinkRequest, linkQuestionFor } from './link-email.ts';

export interface InboundSms {
  /** E.164, already validated. */
  from: string;
  body: string;
  /** The signed MessageSid: the dedupe key. */
  dedupeKey: string;
  /** Set when Twilio's Advanced Opt-Out handled a keyword: it has already replied. */
  optOutType?: 'STOP' | 'START' | 'HELP';
}

/** What a text needs (the inbound pipeline's dependencies). */
export type HandleSmsDeps = InboundDeps;

const ADVANCED_OPT_OUT: Record<NonNullable<InboundSms['optOutType']>, Intent> = {
  STOP: { kind: 'stop' },
  START: { kind: 'start' },
  HELP: { kind: 'help' },
};

/** What the webhook answers in its TwiML: the reply (null for none), and whether this text enrolled a number signed up on the page. */
export interface SmsAnswer {
  reply: string | null;
  /** Sent with the reply when this text enrolled a number signed up with an email: "Link email a***@...? Reply YES". */
  linkQuestion: string | null;
}

/**
 * A text arrives: the SMS steps (the country block, Advanced Opt-Out, a YES to a link question)
 * around the inbound pipeline (handle-inbound.ts). Returns the reply to send back in the TwiML;
 * a retry of a message handled before gets the stored reply again.
 */
export async function handleInboundSms(deps: HandleSmsDeps, sms: InboundSms): Promise<SmsAnswer> {
  if (!isAllowedCountry(sms.from, deps.limits)) {
    // SMS pumping comes from premium-rate ranges abroad: no reply, no record, just a count.
    deps.log.warn('text from a country not served; ignored', { from: sms.from });
    deps.metrics.count('InboundBlockedCountry');
    return { reply: null, linkQuestion: null };
  }
  // A bare YES answering an open "link this email?" question (use-cases/link-email.ts).
  const linkReply = await answerLinkRequest(deps, sms);
  if (linkReply !== undefined) return { reply: linkReply, linkQuestion: null };

  const result = await handleInbound(deps, {
    channel: SMS_CHANNEL,
    from: sms.from,
    userId: SMS_CHANNEL.userId(sms.from),
    dedupeKey: sms.dedupeKey,
    read: () => understand(sms.body),
    // The keyword as the reading found it: the body is not read for it again.
    keyword: (u) => (sms.optOutType ? ADVANCED_OPT_OUT[sms.optOutType].kind : u.keyword),
    // With Advanced Opt-Out, Twilio has sent its own confirmation: record the change, say nothing.
    ...(sms.optOutType ? { handledBy: { intent: ADVANCED_OPT_OUT[sms.optOutType], via: 'twilio advanced opt-out' } } : {}),
    replies: {
      // The reply goes back in the webhook's TwiML answer: nothing to send from here.
      send: async () => {},
      stored: async (key) => (await deps.store.inboundReply(key)) ?? null,
    },
  });
  // Only a number signed up on the page can have a link request: asked about the state just written.
  const question = result.outcome === 'ok' && result.enrolled ? await linkQuestionFor(deps, sms.from, result.decision.user) : null;
  return { reply: storedText(result.reply), linkQuestion: question };
}
