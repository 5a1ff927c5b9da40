import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { Log } from '../use-cases/ports.ts';
import { emailLinkRoutes, type EmailLinkDeps } from './routes/email-links.ts';
import { sesEventRoutes, type SesEventDeps } from './routes/ses-events.ts';
import { signUpRoutes, type SignUpRouteDeps } from './routes/sign-up.ts';
import { twilioWebhookRoutes, type TwilioWebhookDeps } from './routes/twilio-webhook.ts';
import { securityHeaders } from './security-headers.ts';

export interface AppDeps {
  webhook: TwilioWebhookDeps;
  signUp: SignUpRouteDeps;
  emailLinks: EmailLinkDeps;
  sesEvents: SesEventDeps;
  log: Log;
}

/**
 * The one Hono app: Lambda wraps it in functions/api.ts, the local stack serves it over HTTP and
 * adds the /dev surface to it (so that code never reaches the Lambda bundle).
 */
export function createApp(deps: AppDeps) {
  const app = new Hono();
  app.use('*', securityHeaders());
  app.get('/healthz', (c) => c.json({ ok: true }));
  app.route('/webhooks/twilio', twilioWebhookRoutes(deps.webhook));
  app.route('/webhooks/ses', sesEventRoutes(deps.sesEvents));
  app.route('/email', emailLinkRoutes(deps.emailLinks));
  app.route('/', signUpRoutes(deps.signUp));
  app.notFound((c) => c.text('Not found', 404));
  app.onError((err, c) => {
    if (err instanceof HTTPException) return err.getResponse();
    // Storage or a dependency failed: 503 tells Twilio to retry, and nothing was half-written.
    deps.log.error('request failed', { path: c.req.path, error: String(err) });
    return c.text('Temporarily unavailable, please retry', 503);
  });
  return app;
}
