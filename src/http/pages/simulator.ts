/**
 * The local phone simulator (GET /dev): plain HTML, CSS and a little script over the /dev JSON
 * API, so it needs no build step.
 */
export function simulatorPage(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>legday simulator</title>
<style>
  :root { --bg:#f3f4f6; --me:#2563eb; --them:#e5e7eb; font-family: system-ui, sans-serif; }
  body { margin:0; background:var(--bg); display:flex; justify-content:center; }
  main { width:100%; max-width:440px; min-height:100vh; background:#fff; display:flex; flex-direction:column; }
  header { padding:12px 16px; border-bottom:1px solid #ddd; display:flex; gap:8px; align-items:center; flex-wrap:wrap; }
  header h1 { font-size:1rem; margin:0 auto 0 0; }
  header input { width:11em; font:inherit; padding:4px 6px; }
  #clock { font-size:.8rem; color:#555; width:100%; }
  #chat { flex:1; overflow-y:auto; padding:12px 16px; display:flex; flex-direction:column; gap:8px; }
  .msg { max-width:80%; padding:8px 12px; border-radius:16px; white-space:pre-wrap; line-height:1.35; }
  .me { align-self:flex-end; background:var(--me); color:#fff; border-bottom-right-radius:4px; }
  .them { align-self:flex-start; background:var(--them); border-bottom-left-radius:4px; }
  .meta { font-size:.7rem; opacity:.7; margin-top:4px; }
  .warp { display:flex; gap:6px; padding:8px 16px; border-top:1px solid #eee; }
  .warp button { flex:1; }
  form { display:flex; gap:8px; padding:12px 16px; border-top:1px solid #ddd; }
  form input { flex:1; font:inherit; padding:8px 12px; border-radius:18px; border:1px solid #ccc; }
  button { font:inherit; padding:6px 10px; border-radius:8px; border:1px solid #bbb; background:#fff; cursor:pointer; }
  #err { color:#b91c1c; font-size:.85rem; padding:0 16px; }
</style>
</head>
<body>
<main>
  <header>
    <h1>legday</h1>
    <label>From <input id="from" value="+15551234567" inputmode="tel" aria-label="Your phone number"></label>
    <div id="clock"></div>
  </header>
  <div id="chat" aria-live="polite"></div>
  <div id="err" role="alert"></div>
  <div class="warp">
    <button data-min="60">+1 hour</button><button data-min="1440">+1 day</button><button data-min="10080">+1 week</button>
  </div>
  <form id="send"><input id="body" placeholder="Text legday (try: legs done)" autocomplete="off" aria-label="Message"><button>Send</button></form>
</main>
<script type="module">
const $ = (id) => document.getElementById(id);
const sent = JSON.parse(localStorage.getItem('legday-sent') || '[]');
const fmt = (iso) => new Date(iso).toLocaleString([], { weekday: 'short', hour: '2-digit', minute: '2-digit' });
async function api(path, body) {
  const res = await fetch(path, body ? { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {});
  const json = await res.json();
  if (!res.ok) throw new Error(json.error || res.statusText);
  return json;
}
async function refresh() {
  const from = $('from').value.trim();
  const [{ messages }, { now }] = await Promise.all([api('/dev/outbox?to=' + encodeURIComponent(from)), api('/dev/clock')]);
  $('clock').textContent = 'Service time: ' + fmt(now);
  const mine = sent.filter((m) => m.from === from).map((m) => ({ ...m, me: true }));
  const all = [...mine, ...messages].sort((a, b) => a.sentAt.localeCompare(b.sentAt) || (a.me ? -1 : 1));
  $('chat').replaceChildren(...all.map((m) => {
    const div = document.createElement('div');
    div.className = 'msg ' + (m.me ? 'me' : 'them');
    div.textContent = m.body;
    const meta = document.createElement('div');
    meta.className = 'meta';
    meta.textContent = fmt(m.sentAt);
    div.append(meta);
    return div;
  }));
  $('chat').scrollTop = $('chat').scrollHeight;
}
$('send').addEventListener('submit', async (e) => {
  e.preventDefault();
  const body = $('body').value.trim();
  if (!body) return;
  $('err').textContent = '';
  try {
    const { now } = await api('/dev/clock');
    await api('/dev/sms', { from: $('from').value.trim(), body });
    sent.push({ from: $('from').value.trim(), body, sentAt: now });
    localStorage.setItem('legday-sent', JSON.stringify(sent));
    $('body').value = '';
  } catch (err) { $('err').textContent = err.message; }
  await refresh();
});
document.querySelectorAll('[data-min]').forEach((b) => b.addEventListener('click', async () => {
  $('err').textContent = '';
  try { await api('/dev/clock', { advanceMinutes: Number(b.dataset.min) }); } catch (err) { $('err').textContent = err.message; }
  await refresh();
}));
$('from').addEventListener('change', refresh);
refresh().catch((err) => { $('err').textContent = err.message; });
</script>
</body>
</html>`;
}
