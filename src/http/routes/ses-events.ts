import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { validator } from 'hono/validator';
import { isSnsUrl, topicRegion, type SnsCheck } from '../../adapters/sns/verify.ts';
import { readSesEvent } from '../../core/ses-events.ts';
import { changeEmailStatus } from '../../use-cases/change-email-status.ts';
import type { Log, Metrics, Store } from '../../use-cases/ports.ts';
import { jsonBody } from '../validate.ts';

export interface SesEventDeps {
  store: Store;
  log: Log;
  metrics: Metrics;
  now: () => Date;
  verify: (body: unknown, now: Date) => Promise<SnsCheck>;
  /** Visits an SNS SubscribeURL (already checked to be an SNS host), confirming the subscription. */
  confirmSubscription: (url: string) => Promise<void>;
}

/**
 * POST /webhooks/ses/events: SES bounce and complaint events, delivered by SNS over HTTPS. Only a
 * message signed by SNS for our topic is acted on; anything else gets 400 or 403.
 */
export function sesEventRoutes(deps: SesEventDeps) {
  /** The body as an SNS message signed for our topic (shape, signature, topic, age), or a refusal. */
  const signedSnsMessage = validator('json', async (_parsed, c) => {
    // SNS posts JSON with Content-Type text/plain, so the body is read whatever its type says.
    const body = await jsonBody(c);
    if (body === undefined) return c.text('Bad request: body is not JSON', 400);
    const check = await deps.verify(body, deps.now());
    if (!check.ok) {
      deps.log.warn('SNS message refused', { reason: check.reason });
      deps.metrics.count('SnsMessageRefused');
      return c.text(`Refused: ${check.reason}`, check.status);
    }
    return check.message;
  });
  return new Hono().post('/events', bodyLimit({ maxSize: 256 * 1024, onError: (c) => c.text('Request body too large', 413) }), signedSnsMessage, async (c) => {
    const now = deps.now();
    const m = c.req.valid('json');
    if (m.Type === 'SubscriptionConfirmation') {
      if (!m.SubscribeURL || !isSnsUrl(m.SubscribeURL, { region: topicRegion(m.TopicArn) ?? '-', query: true })) return c.text('Refused: SubscribeURL is not an SNS URL', 403);
      await deps.confirmSubscription(m.SubscribeURL);
      deps.log.info('SNS subscription confirmed', { topic: m.TopicArn });
      return c.text('Subscribed', 200);
    }
    if (m.Type === 'UnsubscribeConfirmation') return c.text('OK', 200);
    let event: unknown;
    try {
      event = JSON.parse(m.Message);
    } catch {
      return c.text('Bad request: the SNS message is not an SES event', 400);
    }
    const { changes, message } = readSesEvent(event);
    for (const change of changes) {
      const result = await changeEmailStatus(deps, { ...change, via: change.to === 'bounced' ? 'SES bounce' : 'SES complaint' });
      deps.metrics.count(change.to === 'bounced' ? 'EmailBounced' : 'EmailComplained');
      if (result === 'unknown-address') deps.log.info('SES event for an address we do not know', { email: change.address });
    }
    // The email itself, when it was a reminder: delivered, bounced or complained, as Twilio's reports are for texts.
    if (message) {
      await deps.store.recordDelivery({
        ref: { ...message.ref, channel: 'email' },
        providerId: message.messageId,
        status: message.status,
        errorCode: message.detail,
        at: now,
      });
    }
    return c.json({ applied: changes.length });
  });
}
