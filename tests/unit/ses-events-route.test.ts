import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '../../src/adapters/memory/store.ts';
import type { SnsMessage } from '../../src/adapters/sns/verify.ts';
import { sesEventRoutes } from '../../src/http/routes/ses-events.ts';

/**
 * The SNS subscription handshake. The route is the one place a SubscribeURL is checked before it
 * is visited (confirmSnsSubscription does not check it again), so that check is held here.
 */
describe('SES events route: subscription confirmation', () => {
  const topicArn = 'arn:aws:sns:eu-west-1:123456789012:events';
  const confirmation = (subscribeUrl: string | undefined): SnsMessage => ({
    Type: 'SubscriptionConfirmation',
    MessageId: 'm1',
    TopicArn: topicArn,
    Message: 'You have chosen to subscribe.',
    Timestamp: new Date().toISOString(),
    SignatureVersion: '2',
    Signature: 'checked by verify',
    SigningCertURL: 'https://sns.eu-west-1.amazonaws.com/cert.pem',
    Token: 't',
    ...(subscribeUrl === undefined ? {} : { SubscribeURL: subscribeUrl }),
  });
  const quiet = { info: () => {}, warn: () => {}, error: () => {} };
  const route = (visited: string[]) =>
    sesEventRoutes({
      store: createMemoryStore(),
      log: quiet,
      metrics: { count: () => {}, gauge: () => {} },
      now: () => new Date(),
      // Signature, topic and age are the verifier's (tests/unit/email.test.ts): taken as passed here.
      verify: async (body) => ({ ok: true, message: body as SnsMessage }),
      confirmSubscription: async (url) => void visited.push(url),
    });
  const post = (visited: string[], m: SnsMessage) => route(visited).request('/events', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify(m) });

  it('visits an SNS SubscribeURL of the topic’s own region', async () => {
    const visited: string[] = [];
    const url = 'https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=x&Token=t';
    const res = await post(visited, confirmation(url));
    expect([res.status, await res.text()]).toEqual([200, 'Subscribed']);
    expect(visited).toEqual([url]);
  });

  it('refuses (403) and never visits any other SubscribeURL, or none', async () => {
    for (const bad of ['https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription', 'https://evil.example/?Action=ConfirmSubscription', 'http://sns.eu-west-1.amazonaws.com/?a=1', undefined]) {
      const visited: string[] = [];
      const res = await post(visited, confirmation(bad));
      expect([res.status, await res.text()], String(bad)).toEqual([403, 'Refused: SubscribeURL is not an SNS URL']);
      expect(visited).toEqual([]);
    }
  });
});
