/** `npm start`: the whole service on this machine. */
import { ConfigError, readLocalConfig } from '../config.ts';
import { JavaMissingError } from './dynamo-local.ts';
import { PortInUseError } from './ses-local.ts';
import { startLocalStack } from './stack.ts';

try {
  const config = readLocalConfig();
  const stack = await startLocalStack({ config, persist: true, sweepEveryMs: 60_000 });
  const twilioLine = stack.twilio
    ? `Twilio stand-in  ${stack.twilio.url} (records texts instead of sending them)`
    : `Twilio           real account, sending from ${config.twilio.from}`;
  console.log(`
legday is running.

  Simulator        ${stack.url}/dev          <- open this and text it
  Sign-up page     ${stack.url}/             (email needs the link in the confirmation email)
  Emails (SES)     ${stack.ses.url}     <- every email sent, in the local SES viewer
  Webhook          POST ${stack.publicUrl}/webhooks/twilio/sms
                   (signatures checked with TWILIO_AUTH_TOKEN${config.twilio.defaultToken ? ' = the local default "legday-local-auth-token"' : ''})
  DynamoDB Local   ${stack.dynamo.endpoint} (data in ${config.dataDir})
  ${twilioLine}
  Sweeper          every minute; POST /dev/clock to jump ahead

Text it from a terminal:
  curl -s ${stack.url}/dev/sms -H 'content-type: application/json' -d '{"from":"+15551234567","body":"legs done"}'
  curl -s ${stack.url}/dev/clock -H 'content-type: application/json' -d '{"advanceMinutes":1440}'
  curl -s '${stack.url}/dev/outbox?to=%2B15551234567'

Email it (after signing up you@example.com on the page and following the link):
  curl -s ${stack.url}/dev/email -H 'content-type: application/json' -d '{"from":"you@example.com","subject":"legs done","text":""}'
  curl -s '${stack.url}/dev/outbox?to=you@example.com'

Ctrl+C stops everything.
`);
  let stopping = false;
  const shutdown = () => {
    if (stopping) return;
    stopping = true;
    stack.stop().then(() => process.exit(0));
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
} catch (err) {
  if (err instanceof ConfigError || err instanceof JavaMissingError || err instanceof PortInUseError) {
    console.error(err.message);
    process.exit(1);
  }
  throw err;
}
