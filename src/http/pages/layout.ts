import { html, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';

/** The shell of the public pages: plain server-rendered HTML and a little CSS, readable on a phone. */
export function page(title: string, body: HtmlEscapedString | Promise<HtmlEscapedString>) {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${title}</title>
<style>${raw(CSS)}</style>
</head>
<body><main>${body}</main></body>
</html>`;
}

const CSS = `
  * { box-sizing: border-box; }
  body { margin:0; background:#f4f4f5; color:#18181b; font:17px/1.5 system-ui, -apple-system, Segoe UI, Roboto, sans-serif; }
  main { max-width:520px; margin:0 auto; padding:24px 16px 48px; }
  h1 { font-size:1.6rem; margin:8px 0 4px; }
  .lead { color:#52525b; margin:0 0 20px; }
  form, .card { background:#fff; border-radius:14px; padding:20px; box-shadow:0 1px 3px rgba(0,0,0,.08); }
  label { display:block; font-weight:600; margin:16px 0 6px; }
  label:first-child { margin-top:0; }
  input[type=tel], input[type=email], input[type=text] { width:100%; font:inherit; padding:12px; border:1px solid #d4d4d8; border-radius:10px; }
  input[aria-invalid=true] { border-color:#dc2626; }
  fieldset { border:0; padding:0; margin:16px 0 0; }
  legend { font-weight:600; margin-bottom:6px; }
  .choice { display:flex; gap:10px; align-items:flex-start; font-weight:400; margin:8px 0; }
  .choice input { margin-top:5px; width:20px; height:20px; }
  .hint { color:#71717a; font-size:.9rem; margin:4px 0 0; }
  .error { color:#b91c1c; font-size:.95rem; margin:6px 0 0; }
  .errors { background:#fef2f2; border:1px solid #fecaca; color:#991b1b; border-radius:10px; padding:10px 14px; margin-bottom:16px; }
  button { width:100%; margin-top:20px; font:inherit; font-weight:600; padding:14px; border:0; border-radius:10px; background:#16a34a; color:#fff; cursor:pointer; }
  .ok { border-left:4px solid #16a34a; }
  .warn { border-left:4px solid #dc2626; }
`;
