/** The viewer's single page: search on the left, the tree drawn as SVG and the chosen node's details. */
export const viewerPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>arboretum viewer</title>
<style>
*{box-sizing:border-box}body{margin:0;font:13px/1.4 system-ui,sans-serif;color:#222;display:flex;height:100vh}
#side{width:340px;border-right:1px solid #ddd;display:flex;flex-direction:column}
#side form{padding:10px;border-bottom:1px solid #ddd;display:grid;gap:6px}
#side input,#side select{width:100%;padding:5px;font:inherit}
#count{color:#666;font-size:12px}
#list{overflow:auto;flex:1;margin:0;padding:0;list-style:none}
#list li{padding:7px 10px;border-bottom:1px solid #f0f0f0;cursor:pointer}
#list li:hover,#list li.sel{background:#eef4ff}
#list .meta{color:#666;font-size:11px}
#main{flex:1;display:flex;flex-direction:column;overflow:hidden}
#head{padding:10px 14px;border-bottom:1px solid #ddd}#head h2{margin:0 0 4px;font-size:15px}
#head .instr{white-space:pre-wrap;max-height:90px;overflow:auto;color:#444}
#body{flex:1;display:flex;overflow:hidden}
#canvas{flex:1;overflow:auto;padding:10px}
#detail{width:440px;border-left:1px solid #ddd;overflow:auto;padding:10px 14px;overflow-wrap:anywhere}
#detail pre{white-space:pre-wrap;background:#f7f7f7;padding:6px;max-height:260px;overflow:auto;font-size:12px}
.legend span{display:inline-block;margin-right:12px}.sw{display:inline-block;width:11px;height:11px;border-radius:6px;vertical-align:-1px;margin-right:4px}
svg .node{cursor:pointer}svg .node.sel circle{stroke:#1a56db;stroke-width:4}
a{color:#1a56db}
</style></head><body>
<div id="side">
  <form id="search" onsubmit="return false">
    <input id="q" name="q" placeholder="search id, instruction id or text" autocomplete="off">
    <select id="task" name="task"><option value="">all tasks</option></select>
    <select id="dataset" name="dataset"><option value="">all datasets</option></select>
    <div id="count"></div>
  </form>
  <ul id="list"></ul>
  <div style="padding:8px 10px;border-top:1px solid #ddd"><a href="/report" target="_blank">report</a></div>
</div>
<div id="main">
  <div id="head"><h2 id="title">Pick a tree</h2><div class="legend">
    <span><i class="sw" style="background:#2e9d4f"></i>correct</span><span><i class="sw" style="background:#d1453b"></i>incorrect</span>
    <span><i class="sw" style="background:#e69a28"></i>dropped (syntax / failure)</span><span><i class="sw" style="background:#9e9e9e"></i>not judged</span>
    <span><i class="sw" style="background:#fff;border:3px solid #333"></i>critiqued (expanded)</span></div>
    <div id="instr" class="instr"></div></div>
  <div id="body"><div id="canvas"></div><div id="detail"><p>Click a node to see its strategy, model, action, observation and critique.</p></div></div>
</div>
<script>
const $ = (id) => document.getElementById(id);
const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => ({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;',"'":'&#39;'}[c]));
const api = async (path) => { const r = await fetch(path); if (!r.ok) throw new Error(await r.text()); return r.json(); };
let current = null;

function hashParams() { return new URLSearchParams(location.hash.slice(1)); }

async function loadFacets() {
  const f = await api('/api/facets');
  for (const t of f.tasks) $('task').insertAdjacentHTML('beforeend', '<option>' + esc(t) + '</option>');
  for (const d of f.datasets) $('dataset').insertAdjacentHTML('beforeend', '<option>' + esc(d) + '</option>');
}

let searchSeq = 0;
async function search() {
  const seq = ++searchSeq;
  const p = new URLSearchParams({ q: $('q').value.trim(), task: $('task').value, dataset: $('dataset').value, limit: '200' });
  const r = await api('/api/trees?' + p);
  if (seq !== searchSeq) return;
  $('count').textContent = r.total + ' tree' + (r.total === 1 ? '' : 's') + (r.total > r.trees.length ? ' (first ' + r.trees.length + ')' : '');
  $('list').innerHTML = r.trees.map((t) =>
    '<li data-tree="' + esc(t.tree_id) + '"' + (current && current.tree.tree_id === t.tree_id ? ' class="sel"' : '') + '><div>' + esc(t.instruction_id) + '</div>' +
    '<div class="meta">' + esc(t.task) + ' · ' + esc(t.dataset) + ' · ' + t.turns + ' turn' + (t.turns === 1 ? '' : 's') + ' · ' + t.actions + ' actions · ' + esc(t.outcome ?? 'open') + '</div></li>').join('');
  document.body.dataset.searched = String(seq);
}

function colour(n) {
  if (n.correct === null || n.correct === undefined) return '#9e9e9e';
  if (!n.valid) return '#e69a28';
  return n.correct ? '#2e9d4f' : '#d1453b';
}

function layout(nodes) {
  const kids = new Map();
  for (const n of nodes) { const k = n.parent_id ?? '__root'; if (!kids.has(k)) kids.set(k, []); kids.get(k).push(n); }
  const pos = new Map(); let leaf = 0; let depth = 0;
  const place = (id, d) => {
    depth = Math.max(depth, d);
    const ch = kids.get(id) ?? [];
    if (!ch.length) { pos.set(id, { x: leaf++, y: d }); return; }
    for (const c of ch) place(c.node_id, d + 1);
    const xs = ch.map((c) => pos.get(c.node_id).x);
    pos.set(id, { x: (Math.min(...xs) + Math.max(...xs)) / 2, y: d });
  };
  place('__root', 0);
  // Nodes whose parent is unknown hang from the root's level too.
  for (const n of nodes) if (!pos.has(n.node_id)) place(n.node_id, n.turn ?? 1);
  return { pos, width: Math.max(leaf, 1), depth, kids };
}

function drawTree(data) {
  const { nodes } = data;
  const { pos, width, depth } = layout(nodes);
  const W = 120, H = 95, R = 16, pad = 70;
  const X = (x) => pad + x * W, Y = (y) => pad + y * H;
  let svg = '<svg id="tree" xmlns="http://www.w3.org/2000/svg" width="' + (2 * pad + (width - 1) * W + 60) + '" height="' + (2 * pad + depth * H + 20) + '">';
  for (const n of nodes) {
    const a = pos.get(n.parent_id ?? '__root'), b = pos.get(n.node_id);
    if (a && b) svg += '<line x1="' + X(a.x) + '" y1="' + Y(a.y) + '" x2="' + X(b.x) + '" y2="' + Y(b.y) + '" stroke="#bbb" stroke-width="2"/>';
  }
  const r = pos.get('__root');
  svg += '<g class="node root" data-node=""><rect x="' + (X(r.x) - 22) + '" y="' + (Y(r.y) - 14) + '" width="44" height="28" rx="5" fill="#555"/><text x="' + X(r.x) + '" y="' + (Y(r.y) + 4) + '" fill="#fff" text-anchor="middle" font-size="11">root</text></g>';
  for (const n of nodes) {
    const p = pos.get(n.node_id);
    const critiqued = n.critique !== null && n.critique !== undefined;
    svg += '<g class="node" data-node="' + esc(n.node_id) + '" data-correct="' + n.correct + '"><title>' + esc(n.node_id) + '</title>' +
      '<circle cx="' + X(p.x) + '" cy="' + Y(p.y) + '" r="' + R + '" fill="' + colour(n) + '" stroke="' + (critiqued ? '#333' : '#fff') + '" stroke-width="' + (critiqued ? 4 : 2) + '"/>' +
      '<text x="' + X(p.x) + '" y="' + (Y(p.y) + 4) + '" fill="#fff" text-anchor="middle" font-size="11" font-weight="600">' + (n.correct === true ? '✓' : n.correct === false ? '✗' : '?') + '</text>' +
      '<text x="' + X(p.x) + '" y="' + (Y(p.y) + R + 14) + '" text-anchor="middle" font-size="10" fill="#333">' + esc(String(n.model).slice(0, 18)) + '</text>' +
      '<text x="' + X(p.x) + '" y="' + (Y(p.y) + R + 26) + '" text-anchor="middle" font-size="10" fill="#777">' + esc(String(n.strategy).slice(0, 20)) + '</text></g>';
  }
  svg += '</svg>';
  $('canvas').innerHTML = svg;
  for (const g of $('canvas').querySelectorAll('g.node')) g.addEventListener('click', () => showNode(g.dataset.node));
}

function field(label, value, pre) {
  if (value === null || value === undefined || value === '') return '';
  return '<div><b>' + label + ':</b> ' + (pre ? '<pre>' + esc(value) + '</pre>' : esc(value)) + '</div>';
}

function showNode(id) {
  for (const g of $('canvas').querySelectorAll('g.node')) g.classList.toggle('sel', g.dataset.node === id);
  if (!id) { $('detail').innerHTML = '<h3>Instruction</h3><pre>' + esc(current.tree.instruction) + '</pre>' + field('reference answer', current.tree.reference_answer); return; }
  const n = current.nodes.find((x) => x.node_id === id);
  const inPairs = current.pairs.filter((p) => p.chosen_node_id === id || p.rejected_node_id === id)
    .map((p) => p.id + (p.chosen_node_id === id ? ' (chosen)' : ' (rejected)')).join(', ');
  $('detail').innerHTML = '<h3 id="node-title">' + esc(n.node_id) + '</h3>' +
    field('turn', n.turn) + field('verdict', n.correct === null ? 'not judged' : (n.correct ? 'correct' : 'incorrect') + (n.grader ? ' (' + n.grader + (n.detail ? ': ' + n.detail : '') + ')' : '')) +
    field('strategy', n.strategy) + field('model', n.model + ' (' + n.role + (n.attempt ? ', attempt ' + n.attempt : '') + ')') +
    field('tokens', (n.prompt_tokens ?? 0) + ' prompt + ' + (n.completion_tokens ?? 0) + ' completion, ' + (n.latency_ms ?? 0) + ' ms') +
    field('dropped', n.valid ? '' : (n.failure ?? (n.syntax_ok === false ? 'syntax error' : ''))) +
    field('in pairs', inPairs) +
    field('action', n.action, true) + field('code', n.code, true) + field('observation', n.observation, true) +
    field('answer', n.answer) + field('critique' + (n.critic_model ? ' by ' + n.critic_model : ''), n.critique, true);
}

async function openTree(id) {
  const data = await api('/api/tree?id=' + encodeURIComponent(id));
  current = data;
  const t = data.tree;
  $('title').textContent = t.instruction_id + ' — ' + t.task + ' / ' + t.dataset + ' — ' + t.turns + ' turn' + (t.turns === 1 ? '' : 's') + ', ' + (t.outcome ?? 'open');
  $('title').dataset.tree = t.tree_id;
  $('instr').textContent = t.instruction;
  drawTree(data);
  showNode('');
  for (const li of $('list').querySelectorAll('li')) li.classList.toggle('sel', li.dataset.tree === id);
  document.body.dataset.tree = id;
}

async function route() {
  const p = hashParams();
  if (p.has('task')) $('task').value = p.get('task');
  if (p.has('dataset')) $('dataset').value = p.get('dataset');
  if (p.has('q')) $('q').value = p.get('q');
  await search();
  if (p.get('tree')) await openTree(p.get('tree')).catch((e) => { $('title').textContent = 'No tree ' + p.get('tree'); });
}

let timer;
$('q').addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(search, 150); });
$('task').addEventListener('change', search);
$('dataset').addEventListener('change', search);
$('list').addEventListener('click', (e) => { const li = e.target.closest('li'); if (li) location.hash = 'tree=' + encodeURIComponent(li.dataset.tree); });
window.addEventListener('hashchange', route);
loadFacets().then(route).then(() => { document.body.dataset.ready = '1'; });
</script>
</body></html>
`;
