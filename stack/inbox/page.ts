/**
 * The inbox's web page: a message list on the left, the selected message on the right, read
 * through the same JSON API (HTML bodies shown in a sandboxed iframe so mail cannot run script).
 */
export function inboxPage(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Agora inbox</title>
<style>
  body { font: 14px system-ui, sans-serif; margin: 0; display: grid; grid-template-columns: 360px 1fr; height: 100vh; }
  header { grid-column: 1 / 3; padding: 8px 12px; background: #1f2937; color: #fff; display: flex; gap: 12px; align-items: center; }
  header button { margin-left: auto; }
  #list { overflow: auto; border-right: 1px solid #ddd; }
  .item { padding: 8px 12px; border-bottom: 1px solid #eee; cursor: pointer; }
  .item.unread { font-weight: 600; }
  .item.active { background: #eef2ff; }
  .meta { color: #555; font-size: 12px; }
  #view { overflow: auto; padding: 12px; }
  iframe { width: 100%; height: 70vh; border: 1px solid #ddd; }
  pre { white-space: pre-wrap; }
</style>
</head>
<body>
<header><strong>Agora inbox</strong><span id="count"></span><button id="clear">Delete all</button></header>
<div id="list"></div>
<div id="view"><p class="meta">Select a message.</p></div>
<script>
const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
const who = (a) => a ? (a.Name ? a.Name + ' <' + a.Address + '>' : a.Address) : '';
let current = null;
async function load() {
  const res = await fetch('api/v1/messages?limit=200');
  const data = await res.json();
  document.getElementById('count').textContent = data.total + ' messages, ' + data.unread + ' unread';
  document.getElementById('list').innerHTML = data.messages.map((m) =>
    '<div class="item' + (m.Read ? '' : ' unread') + (m.ID === current ? ' active' : '') + '" data-id="' + esc(m.ID) + '">' +
    '<div>' + esc(m.Subject || '(no subject)') + '</div>' +
    '<div class="meta">' + esc(m.To.map(who).join(', ')) + ' · ' + esc(new Date(m.Created).toLocaleString()) + '</div></div>').join('');
}
async function show(id) {
  current = id;
  const m = await (await fetch('api/v1/message/' + encodeURIComponent(id))).json();
  const view = document.getElementById('view');
  view.innerHTML = '<h2>' + esc(m.Subject) + '</h2>' +
    '<p class="meta">From: ' + esc(who(m.From)) + '<br>To: ' + esc(m.To.map(who).join(', ')) + '<br>Date: ' + esc(new Date(m.Date).toLocaleString()) + '</p>' +
    (m.HTML ? '<iframe sandbox="allow-popups allow-popups-to-escape-sandbox"></iframe>' : '') +
    '<h3>Text</h3><pre>' + esc(m.Text) + '</pre>';
  if (m.HTML) view.querySelector('iframe').srcdoc = '<base target="_blank">' + m.HTML;
  load();
}
document.getElementById('list').addEventListener('click', (e) => {
  const item = e.target.closest('.item');
  if (item) show(item.dataset.id);
});
document.getElementById('clear').addEventListener('click', async () => {
  await fetch('api/v1/messages', { method: 'DELETE' });
  current = null;
  document.getElementById('view').innerHTML = '<p class="meta">Select a message.</p>';
  load();
});
load();
setInterval(load, 3000);
</script>
</body>
</html>`;
}
