/**
 * The local phone simulator (GET /dev): plain HTML, CSS and one small script over the /dev JSON
 * API, so it needs no build step and no framework. Left: a phone. Right: the latest leg day's
 * recovery timeline as an SVG, with every text marked and "now" as a line.
 */
export function simulatorPage(links: { sesViewerUrl: string; serviceEmail: string } = { sesViewerUrl: '', serviceEmail: '' }): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>legday simulator</title>
<style>
  :root { --me:#2563eb; --them:#e5e7eb; --ice:#bfdbfe; --heat:#fed7aa; --mob:#bbf7d0; font-family: system-ui, sans-serif; }
  * { box-sizing: border-box; }
  body { margin:0; background:#f3f4f6; color:#111; }
  .wrap { display:flex; gap:24px; padding:16px; justify-content:center; align-items:flex-start; flex-wrap:wrap; }
  .phone { width:100%; max-width:390px; height:min(760px, calc(100vh - 32px)); background:#fff; border-radius:28px;
           box-shadow:0 10px 30px #0002; display:flex; flex-direction:column; overflow:hidden; border:10px solid #111; }
  header { padding:10px 14px; border-bottom:1px solid #ddd; display:flex; gap:8px; align-items:center; flex-wrap:wrap; }
  header h1 { font-size:1rem; margin:0 auto 0 0; }
  header input { width:10.5em; font:inherit; padding:4px 6px; }
  #clock { font-size:.78rem; color:#555; width:100%; }
  #chat { flex:1; overflow-y:auto; padding:12px; display:flex; flex-direction:column; gap:8px; }
  .msg { max-width:82%; padding:8px 12px; border-radius:16px; white-space:pre-wrap; line-height:1.35; font-size:.92rem; }
  .me { align-self:flex-end; background:var(--me); color:#fff; border-bottom-right-radius:4px; }
  .them { align-self:flex-start; background:var(--them); border-bottom-left-radius:4px; }
  .meta { font-size:.68rem; opacity:.7; margin-top:4px; }
  .warp { display:flex; gap:6px; padding:8px 12px; border-top:1px solid #eee; }
  .warp button { flex:1; }
  form { display:flex; gap:8px; padding:10px 12px; border-top:1px solid #ddd; }
  form input { flex:1; font:inherit; padding:8px 12px; border-radius:18px; border:1px solid #ccc; min-width:0; }
  button { font:inherit; font-size:.85rem; padding:6px 10px; border-radius:8px; border:1px solid #bbb; background:#fff; cursor:pointer; }
  button:disabled { opacity:.5; }
  #err { color:#b91c1c; font-size:.85rem; padding:0 12px; }
  .panel { flex:1; min-width:300px; max-width:720px; background:#fff; border-radius:12px; padding:16px; box-shadow:0 4px 14px #0001; }
  .panel h2 { font-size:1rem; margin:0 0 4px; }
  .panel p { margin:0 0 12px; font-size:.85rem; color:#555; }
  svg { width:100%; height:auto; display:block; }
  svg text { font-size:11px; font-family:inherit; }
  .legend { display:flex; gap:12px; flex-wrap:wrap; font-size:.8rem; margin-top:8px; }
  .legend span::before { content:""; display:inline-block; width:12px; height:12px; border-radius:3px; margin-right:4px; vertical-align:-2px; background:var(--c); }
  @media (max-width: 760px) { .wrap { padding:0; gap:12px; } .phone { border-radius:0; border:0; max-width:none; height:70vh; } .panel { border-radius:0; } }
</style>
</head>
<body>
<div class="wrap">
  <main class="phone" aria-label="Phone">
    <header>
      <h1>legday</h1>
      <label>From <input id="from" value="+15551234567" inputmode="tel" aria-label="Your phone number"></label>
      <div id="clock" aria-live="polite"></div>
    </header>
    <div id="chat" aria-live="polite"></div>
    <div id="err" role="alert"></div>
    <div class="warp">
      <button id="warp-hour" data-min="60" title="Time flows: every text due in the hour goes at its own time">+1 hour</button>
      <button id="warp-day" data-min="1440" title="Time flows: every text due in the day goes at its own time">+1 day</button>
      <label style="font-size:.75rem;display:flex;align-items:center;gap:3px" title="The sweeper is down while the clock moves; one sweep when it is back"><input type="checkbox" id="outage">outage</label>
      <button id="warp-next">Next message</button>
    </div>
    <form id="send"><input id="body" placeholder="Text legday (try: legs done)" autocomplete="off" aria-label="Message"><button id="send-btn">Send</button></form>
  </main>
  <section class="panel" aria-label="Recovery timeline">
    <h2>Recovery timeline</h2>
    <p id="tl-caption">Text "legs done" to start one.</p>
    <svg id="timeline" viewBox="0 0 700 190" role="img" aria-label="Timeline of the latest leg day"></svg>
    <div class="legend">
      <span style="--c:var(--ice)">ice (0-48 h)</span><span style="--c:var(--heat)">heat</span>
      <span style="--c:var(--mob)">mobility (days 2-4)</span><span style="--c:#2563eb">sent</span>
      <span style="--c:#fff;outline:2px solid #2563eb">pending</span><span style="--c:#9ca3af">cancelled / expired</span><span style="--c:#dc2626">not delivered</span>
    </div>
    <h2>Email</h2>
    <p id="email-links">Sign up for email on <a href="/" target="_blank">the sign-up page</a>; every email the service sends shows in the
    <a id="ses-viewer" href="${links.sesViewerUrl}" target="_blank" rel="noopener">local SES viewer</a>. To email the coach
    (${links.serviceEmail}), POST /dev/email with {"from", "subject", "text"}.</p>
  </section>
</div>
<script type="module">
const $ = (id) => document.getElementById(id);
const SVG = 'http://www.w3.org/2000/svg';
const H = 3600e3;
const state = { timeline: null, now: null };
const mine = () => JSON.parse(localStorage.getItem('legday-sent') || '[]');
const from = () => $('from').value.trim();
const fmt = (iso, zone) => new Date(iso).toLocaleString('en-GB', { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', timeZone: zone || undefined });

async function api(path, body) {
  const res = await fetch(path, body ? { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {});
  const json = await res.json();
  if (!res.ok) throw new Error(json.error || res.statusText);
  return json;
}

function el(name, attrs = {}, text) {
  const e = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

function drawTimeline(t) {
  const svg = $('timeline');
  svg.replaceChildren();
  if (!t.checkin) { $('tl-caption').textContent = 'Text "legs done" to start one.'; return; }
  const zone = t.timezone;
  const start = Date.parse(t.checkin.at);
  const last = Math.max(start + 170 * H, ...t.reminders.map((r) => Date.parse(r.dueAt)), Date.parse(t.now));
  const end = last + 12 * H;
  const X0 = 20, X1 = 680;
  const x = (ms) => X0 + ((ms - start) / (end - start)) * (X1 - X0);
  $('tl-caption').textContent = 'Leg day ' + fmt(t.checkin.at, zone) + ' (' + zone + ')' + (t.status === 'opted_out' ? ': opted out' : '');
  const next = t.nextLegDay ? Date.parse(t.nextLegDay) : start + 168 * H;
  svg.append(
    el('rect', { x: x(start), y: 30, width: x(start + 48 * H) - x(start), height: 40, fill: 'var(--ice)', 'data-band': 'ice' }),
    el('rect', { x: x(start + 48 * H), y: 30, width: Math.max(0, x(next) - x(start + 48 * H)), height: 40, fill: 'var(--heat)', 'data-band': 'heat' }),
    el('rect', { x: x(start + 48 * H), y: 74, width: x(start + 96 * H) - x(start + 48 * H), height: 16, fill: 'var(--mob)', 'data-band': 'mobility' }),
    el('text', { x: x(start) + 4, y: 46 }, 'ice'),
    el('text', { x: x(start + 48 * H) + 4, y: 46 }, 'heat'),
    el('text', { x: x(start + 48 * H) + 4, y: 86 }, 'mobility'),
    el('line', { x1: X0, x2: X1, y1: 110, y2: 110, stroke: '#999' }),
  );
  for (let d = 0; (start + d * 24 * H) < end; d++) {
    const dx = x(start + d * 24 * H);
    svg.append(el('line', { x1: dx, x2: dx, y1: 106, y2: 114, stroke: '#999' }), el('text', { x: dx - 8, y: 126 }, 'd' + d));
  }
  const flag = (ms, label, id) => svg.append(
    el('line', { x1: x(ms), x2: x(ms), y1: 22, y2: 110, stroke: '#111', 'stroke-width': 2, 'data-marker': id }),
    el('text', { x: x(ms) + 3, y: 18 }, label),
  );
  flag(start, 'leg day', 'checkin');
  flag(next, 'next leg day', 'next-leg-day');
  // Labels in rows: each goes in the first row where it clears the one before, so none overlap.
  const rowEnds = [];
  const LABEL_Y = 144, ROW_H = 14, CHAR_W = 6.2;
  t.reminders.forEach((r) => {
    const cx = x(Date.parse(r.sentAt || r.dueAt));
    const done = r.status === 'sent';
    const waiting = r.status === 'pending' || r.status === 'sending';
    const colour = done ? (r.delivery === 'undelivered' || r.delivery === 'failed' ? '#dc2626' : '#2563eb') : waiting ? '#fff' : '#9ca3af';
    const g = el('g', { 'data-step': r.stepId, 'data-status': r.status, ...(r.delivery ? { 'data-delivery': r.delivery } : {}) });
    const label = r.stepId + (r.status === 'expired' ? ' (expired)' : r.delivery === 'delivered' ? ' \u2713' : r.delivery === 'undelivered' || r.delivery === 'failed' ? ' (failed)' : '');
    const w = label.length * CHAR_W;
    const left = Math.max(0, Math.min(700 - w, cx - w / 2));
    let row = rowEnds.findIndex((end) => end + 4 <= left);
    if (row < 0) { row = rowEnds.length; rowEnds.push(0); }
    rowEnds[row] = left + w;
    g.append(
      el('circle', { cx, cy: 110, r: 7, fill: colour, stroke: waiting || done ? '#2563eb' : '#9ca3af', 'stroke-width': 2, ...(r.status === 'expired' ? { 'stroke-dasharray': '2 2' } : {}) }),
      el('text', { x: left, y: LABEL_Y + row * ROW_H, 'data-label': r.stepId, 'data-row': row }, label),
    );
    g.append(el('title', {}, r.stepId + ': ' + r.status + (r.delivery ? ' (' + r.delivery + (r.deliveryError ? ' ' + r.deliveryError : '') + ')' : '') + ', ' + fmt(r.sentAt || r.dueAt, zone)));
    svg.append(g);
  });
  const height = Math.max(190, LABEL_Y + rowEnds.length * ROW_H + 8);
  svg.setAttribute('viewBox', '0 0 700 ' + height);
  const nx = x(Date.parse(t.now));
  svg.append(el('line', { x1: nx, x2: nx, y1: 8, y2: 126, stroke: '#dc2626', 'stroke-width': 2, 'data-marker': 'now' }), el('text', { x: nx + 3, y: 134, fill: '#dc2626' }, 'now'));
}

async function refresh() {
  const f = from();
  const [{ messages }, t] = await Promise.all([api('/dev/outbox?to=' + encodeURIComponent(f)), api('/dev/timeline?to=' + encodeURIComponent(f))]);
  state.timeline = t;
  const zone = t.timezone || undefined;
  $('clock').textContent = 'Service time: ' + fmt(t.now, zone) + (zone ? ' (' + zone + ')' : '');
  const own = mine().filter((m) => m.from === f).map((m) => ({ ...m, me: true }));
  const all = [...own, ...messages].sort((a, b) => a.sentAt.localeCompare(b.sentAt) || (a.me ? -1 : 1));
  $('chat').replaceChildren(...all.map((m) => {
    const div = document.createElement('div');
    div.className = 'msg ' + (m.me ? 'me' : 'them');
    div.textContent = m.body;
    const meta = document.createElement('div');
    meta.className = 'meta';
    meta.textContent = fmt(m.sentAt, zone) + (m.delivery ? ' \u00b7 ' + (m.delivery === 'delivered' ? 'delivered' : m.delivery === 'undelivered' || m.delivery === 'failed' ? 'not delivered' + (m.deliveryError ? ' (' + m.deliveryError + ')' : '') : m.delivery) : '');
    if (m.delivery) div.dataset.delivery = m.delivery;
    div.append(meta);
    return div;
  }));
  $('chat').scrollTop = $('chat').scrollHeight;
  drawTimeline(t);
  const pending = t.reminders.filter((r) => r.status === 'pending');
  $('warp-next').disabled = pending.length === 0;
}

async function act(fn) {
  $('err').textContent = '';
  try { await fn(); } catch (err) { $('err').textContent = err.message; }
  await refresh().catch((err) => { $('err').textContent = err.message; });
}

$('send').addEventListener('submit', (e) => {
  e.preventDefault();
  const body = $('body').value.trim();
  if (!body) return;
  act(async () => {
    const { now } = await api('/dev/clock');
    await api('/dev/sms', { from: from(), body });
    localStorage.setItem('legday-sent', JSON.stringify([...mine(), { from: from(), body, sentAt: now }]));
    $('body').value = '';
  });
});
for (const id of ['warp-hour', 'warp-day']) {
  $(id).addEventListener('click', () => act(() => api('/dev/clock', { advanceMinutes: Number($(id).dataset.min), outage: $('outage').checked })));
}
$('warp-next').addEventListener('click', () => act(async () => {
  const t = state.timeline;
  const next = t && t.reminders.filter((r) => r.status === 'pending').map((r) => Date.parse(r.dueAt)).sort((a, b) => a - b)[0];
  if (!next) return;
  const minutes = Math.max(0, Math.ceil((next - Date.parse(t.now)) / 60000));
  await api('/dev/clock', { advanceMinutes: minutes });
}));
$('from').addEventListener('change', () => act(async () => {}));
refresh().catch((err) => { $('err').textContent = err.message; });
</script>
</body>
</html>`;
}
