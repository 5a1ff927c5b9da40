import type { MiddlewareHandler } from 'hono';
import { PAGE_SCRIPT_HASHES } from './pages/sign-up.ts';

/**
 * Headers on every response. The public pages get a Content-Security-Policy that runs no script
 * but the sign-up page's own (by hash), loads nothing from elsewhere, posts forms only to us and
 * cannot be framed (clickjacking the confirm or unsubscribe button). Link pages carry a token in
 * their URL: no Referer ever leaves with it. The local /dev simulator is left its inline module
 * script, but is not frameable either.
 */
export const PAGE_CSP = [
  "default-src 'none'",
  `script-src ${PAGE_SCRIPT_HASHES.join(' ')}`,
  "style-src 'unsafe-inline'",
  "img-src 'self' data:",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

export function securityHeaders(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('X-Frame-Options', 'DENY');
    c.header('Referrer-Policy', 'no-referrer');
    if (!c.res.headers.get('content-type')?.startsWith('text/html')) return;
    c.header('Content-Security-Policy', c.req.path === '/dev' || c.req.path.startsWith('/dev/') ? "frame-ancestors 'none'" : PAGE_CSP);
  };
}
