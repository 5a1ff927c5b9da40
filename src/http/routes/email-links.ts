import { Hono, type Context } from 'hono';
import { validator } from 'hono/validator';
import type { LinkPurpose, LinkSigner } from '../../adapters/link-tokens.ts';
import { changeEmailStatus } from '../../use-cases/change-email-status.ts';
import type { Log, Store } from '../../use-cases/ports.ts';
import { linkPage } from '../pages/sign-up.ts';

export interface EmailLinkDeps {
  store: Store;
  log: Log;
  now: () => Date;
  signer: LinkSigner;
}

/**
 * The links in our emails. GET shows a page with one button (mail scanners open links; a GET
 * must not confirm or unsubscribe anyone); POST acts. The unsubscribe POST is also RFC 8058's
 * one-click: mail apps POST "List-Unsubscribe=One-Click" to the List-Unsubscribe URL with no
 * cookie, so the signed token in the URL is the only credential.
 */
export function emailLinkRoutes(deps: EmailLinkDeps) {
  const app = new Hono();
  const refused = (c: Context) =>
    c.html(linkPage({ title: 'This link is not valid', lines: ['It may be incomplete or too old. Copy the whole link from the email, or sign up again for a fresh one.'] }), 400);
  /**
   * The token in ?t= (the first, if given twice) and the address it was signed for; a link that is
   * missing, forged, altered, expired or for another purpose is refused.
   */
  const link = (purpose: LinkPurpose) =>
    validator('query', (query, c) => {
      const token = (Array.isArray(query.t) ? query.t[0] : query.t) ?? '';
      const address = deps.signer.verify(token, purpose, deps.now());
      return address ? { token, address } : refused(c);
    });
  /** Where a link page's button posts back to: the same path and token. */
  const back = (c: Context, token: string) => `${c.req.path}?t=${encodeURIComponent(token)}`;

  app.get('/confirm', link('confirm'), (c) => {
    const { token } = c.req.valid('query');
    return c.html(
      linkPage({
        title: 'Confirm your email',
        lines: ['One tap and your recovery emails are on.'],
        button: { label: 'Confirm my email', action: back(c, token) },
      }),
    );
  });

  app.post('/confirm', link('confirm'), async (c) => {
    const { address } = c.req.valid('query');
    const result = await changeEmailStatus(deps, { address, to: 'confirmed', via: 'confirmation link', detail: 'followed the link in the confirmation email' });
    if (result === 'unknown-address') return refused(c);
    return c.html(
      linkPage({
        title: "You're confirmed",
        lines: ['Recovery emails are on. Email or text LEGS DONE after your next leg day and the plan starts.'],
      }),
    );
  });

  app.get('/unsubscribe', link('unsubscribe'), (c) => {
    const { token } = c.req.valid('query');
    return c.html(
      linkPage({
        title: 'Unsubscribe from legday emails?',
        lines: ['You will get no more recovery emails. Texts, if you get them, are not affected (text STOP for those).'],
        button: { label: 'Unsubscribe', action: back(c, token) },
      }),
    );
  });

  app.post('/unsubscribe', link('unsubscribe'), async (c) => {
    const { address } = c.req.valid('query');
    // RFC 8058's one-click POST says "List-Unsubscribe=One-Click"; the page's button posts nothing.
    const oneClick = (await c.req.text()).includes('List-Unsubscribe=One-Click');
    await changeEmailStatus(deps, {
      address,
      to: 'unsubscribed',
      via: oneClick ? 'one-click unsubscribe (RFC 8058)' : 'unsubscribe link',
      detail: 'unsubscribe link in an email',
    });
    // The same answer whether or not the address is known: the token already proved who asked.
    return c.html(linkPage({ title: "You're unsubscribed", lines: ['No more legday emails. Changed your mind? Sign up again any time.'] }));
  });
  return app;
}
