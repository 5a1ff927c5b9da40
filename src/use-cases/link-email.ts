import { answerLink, answersLinkRequest, isLinkConsent, linkQuestion, shouldAsk } from '../core/link-email.ts';
import { noChange } from '../core/decision.ts';
import { ConcurrentUpdateError } from './apply-decision.ts';
import type { HandleSmsDeps, InboundSms } from './handle-inbound-sms.ts';
import { storedText } from '../core/channel.ts';
import type { UserState } from '../core/user.ts';

/**
 * The text side of tying an address to a number (core/link-email.ts). The sign-up page opens a
 * request beside the number; the number's first text is answered with the question as well; a
 * bare YES while the question is open answers it. Any other YES is the opt-in keyword it always was.
 */

/** After the text that enrolled the number (`user`, as just written): the question to send with the reply, once, or null. */
export async function linkQuestionFor(deps: Pick<HandleSmsDeps, 'store' | 'log'>, phone: string, user: UserState | null): Promise<string | null> {
  const req = await deps.store.linkRequest(phone);
  // markLinkAsked is conditional: two racing texts ask once.
  if (!shouldAsk(req, user) || !(await deps.store.markLinkAsked(phone))) return null;
  deps.log.info('asked the number to link an email', { phone, email: req.address });
  return linkQuestion(req);
}

/** A bare YES to an open question: the reply (the link made, or why not); undefined when the text is not that. */
export async function answerLinkRequest(deps: HandleSmsDeps, sms: InboundSms): Promise<string | null | undefined> {
  if (sms.optOutType || !isLinkConsent(sms.body)) return undefined;
  for (let attempt = 1; attempt <= 4; attempt++) {
    const req = await deps.store.linkRequest(sms.from);
    // The usual YES (no question open) costs one read.
    if (req?.status !== 'asked') return undefined;
    const phoneUser = await deps.store.getUser(sms.from);
    if (!answersLinkRequest(req, phoneUser, sms.body)) return undefined;
    const owner = await deps.store.emailOwner(req.address);
    const emailUser = owner ? await deps.store.getUser(owner) : null;
    const now = deps.now();
    const answer = answerLink(req, phoneUser!, emailUser, owner, now, sms.body);
    const inbound = { messageSid: sms.dedupeKey, reply: { channel: 'sms' as const, text: answer.reply } };
    if (answer.outcome === 'linked') {
      const result = await deps.store.commitLink({
        phoneUser: answer.phoneUser,
        emailUser: answer.emailUser,
        expected: { phone: phoneUser!.version, email: emailUser!.version },
        address: req.address,
        consent: answer.consent,
        inbound,
        now,
      });
      if (result === 'conflict') continue;
      if (result === 'duplicate') return storedText(await deps.store.inboundReply(sms.dedupeKey));
      deps.log.info('email linked to number', { phone: sms.from, email: req.address });
      deps.metrics.count('EmailLinked');
      return answer.reply;
    }
    // Not linked (the address is not confirmed yet, or gone): say why; the question stays open.
    const { reply: _r, disclose: _d, reschedule: _re, cancelSeries: _c, cancelChannel: _cc, ...change } = noChange;
    const result = await deps.store.commit({ decision: change, expectedVersion: null, cancel: [], reschedule: [], inbound, now });
    if (result.outcome === 'duplicate') return storedText(await deps.store.inboundReply(sms.dedupeKey));
    return answer.reply;
  }
  throw new ConcurrentUpdateError('the link kept changing under the write');
}
