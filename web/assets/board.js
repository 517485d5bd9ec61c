// The supervisors' wallboard: alerts, every specialty's queue against its class targets, agents by
// state, overflow teams' load, today's figures. Every live event schedules a fresh read of the
// snapshots (at most one in flight); between them, waits and countdowns tick locally.
import { t, translate } from './i18n.js';
import { command, session, bindSignOut, follow, setZone, time, clock, duration, el, refusal } from './common.js';

const $ = (id) => document.getElementById(id);
let me = null;
let snap = null;    // the last snapshots read
let readAt = 0;     // when (ms)
let reading = false;
let again = false;
let selectedCall = null;
let selectedAgent = null;

// Rows a supervisor selects with a click or Enter; the controls act on the selection, so that a
// fresh read of the board never resets what is being chosen.
function selectable(e, select) {
  e.tabIndex = 0;
  e.setAttribute('role', 'button');
  e.addEventListener('click', select);
  e.addEventListener('keydown', (k) => { if (k.key === 'Enter' || k.key === ' ') { k.preventDefault(); select(); } });
}

async function read() {
  if (reading) { again = true; return; }
  reading = true;
  try {
    const [status, queues, agents, calls, overflow, stats, quality] = await Promise.all(
      ['status-get', 'queue-list', 'agent-list', 'call-list', 'overflow-get', 'stats-get', 'quality-list'].map((c) => command(c)));
    const details = await Promise.all(me.specialties.map((s) => command('queue-get', { specialty: s })));
    snap = { status, queues, agents, calls, overflow, stats, quality, details };
    readAt = Date.now();
    render();
  } finally {
    reading = false;
    if (again) { again = false; read(); }
  }
}

function elapsed() { return (Date.now() - readAt) / 1000; }

function renderAlerts() {
  const alerts = (snap.status.arguments && snap.status.arguments.alerts) || [];
  $('alerts').replaceChildren(...alerts.map((a) => {
    const d = el('p', 'alert ' + a.alert, `${t('alert_' + a.alert)} · ${a.specialty}` +
      (a.call_id ? ` · ${a.call_id}` : '') + ` · ${t('since', { t: time(a.raised_at) })}`);
    d.setAttribute('role', 'alert');
    return d;
  }));
}

function renderQueues() {
  const byId = new Map(((snap.queues.arguments || {}).queues || []).map((q) => [q.specialty, q]));
  const cards = me.specialties.map((s, i) => {
    const q = byId.get(s) || {};
    const card = el('article', 'card queue');
    card.dataset.specialty = s;
    if (q.exceeds_threshold) card.classList.add('over');
    card.append(el('h3', '', s));
    const line = el('p', 'numbers');
    line.append(el('strong', 'count', String(q.queued ?? 0)), ` ${t('waiting')} · ${t('state_ready')} ${q.agents_ready ?? 0} · ${t('state_busy')} ${q.agents_busy ?? 0}`);
    card.append(line);
    const threshold = thresholdOf(s);
    if (threshold != null) card.append(el('p', 'threshold', t('threshold_now', { n: threshold })));
    if (q.exceeds_threshold) card.append(el('p', 'warn', t('over_threshold')));
    const calls = ((snap.details[i] || {}).arguments || {}).calls || [];
    if (calls.length === 0) card.append(el('p', 'muted', t('no_call')));
    const ul = el('ul', 'calls');
    for (const c of calls) {
      const left = (c.deadline_in_s ?? 0) - elapsed();
      const target = me.targets[c.class] || 1;
      const li = el('li', 'call ' + c.class + (c.call_id === selectedCall ? ' selected' : ''));
      li.dataset.callId = c.call_id;
      li.dataset.wait = c.wait_s ?? 0;
      li.dataset.deadline = c.deadline_in_s ?? 0;
      li.dataset.target = target;
      // A list item holding a button: a list keeps its items, the button its keyboard.
      const pick = el('button', 'pick');
      pick.type = 'button';
      pick.dataset.callId = c.call_id;
      pick.append(el('span', 'class', t('class_' + c.class)), el('span', 'wait'), el('span', 'left'),
        el('span', 'target', `${t('target')} ${duration(target)}`));
      pick.addEventListener('click', () => { selectedCall = c.call_id; $('sel-call').textContent = c.call_id; renderQueues(); });
      li.append(pick);
      ul.append(li);
    }
    card.append(ul);
    return card;
  });
  const focused = document.activeElement && document.activeElement.dataset ? document.activeElement.dataset.callId : null;
  $('queues').replaceChildren(...cards);
  if (focused) { const again = $('queues').querySelector(`button[data-call-id="${focused}"]`); if (again) again.focus(); }
  tick();
}

// Waits, countdowns and their colours, every second between two reads.
function tick() {
  for (const li of document.querySelectorAll('#queues li.call')) {
    const left = Number(li.dataset.deadline) - elapsed();
    li.classList.toggle('late', left < 0);
    li.classList.toggle('soon', left >= 0 && left < Number(li.dataset.target) / 3);
    li.querySelector('.wait').textContent = duration(Number(li.dataset.wait) + elapsed());
    li.querySelector('.left').textContent = left < 0 ? t('late', { s: duration(-left) }) : t('left', { s: duration(left) });
  }
  for (const s of document.querySelectorAll('#agents .for')) {
    s.textContent = duration(Number(s.dataset.base) + elapsed());
  }
}

function renderAgents() {
  const agents = (snap.agents.arguments || {}).agents || [];
  const order = ['ready', 'reserved', 'busy', 'wrap_up', 'paused', 'logged_out'];
  const groups = order.map((state) => {
    const them = agents.filter((a) => a.state === state);
    if (them.length === 0) return null;
    const d = el('div', 'agents ' + state);
    d.append(el('h3', 'state ' + state, `${t('state_' + state)} (${them.length})`));
    const p = el('p', 'names');
    for (const a of them) {
      const chip = el('span', 'agent' + (a.agent === selectedAgent ? ' selected' : ''), a.agent + (a.reason ? ` (${a.reason})` : ''));
      chip.dataset.agent = a.agent;
      chip.dataset.state = a.state;
      if (state !== 'logged_out') {
        const f = el('span', 'for');
        f.dataset.base = a.state_for_s ?? 0;
        chip.append(' ', f);
      }
      selectable(chip, () => { selectedAgent = a.agent; $('sel-agent').textContent = a.agent; renderAgents(); });
      p.append(chip);
    }
    d.append(p);
    return d;
  }).filter(Boolean);
  const focused = document.activeElement && document.activeElement.dataset ? document.activeElement.dataset.agent : null;
  $('agents').replaceChildren(...groups);
  if (focused) { const again = $('agents').querySelector(`[data-agent="${focused}"]`); if (again) again.focus(); }
  tick();
}

// The overflow threshold of `specialty` (overflow-get), or null.
function thresholdOf(specialty) {
  const all = ((snap.overflow.arguments || {}).specialties) || [];
  const s = all.find((x) => x.specialty === specialty);
  return s ? s.threshold : null;
}

// Runs a control's command; its result (`ok` words, else acdd's) or its refusal in words.
async function control(name, args, ok = (r) => t('done', { text: r.text }), target = 'control-result') {
  const r = await command(name, args);
  const out = $(target);
  out.textContent = r.result === 0 ? ok(r) : refusal(r);
  out.className = r.result === 0 ? 'ok' : 'error';
  read();
  return r;
}

function setThreshold() {
  const specialty = $('threshold-specialty').value;
  const n = Number($('threshold-value').value);
  if ($('threshold-value').value === '' || !Number.isInteger(n) || n < 0) {
    $('control-result').textContent = t('refused', { text: t('threshold_needed') });
    $('control-result').className = 'error';
    $('threshold-value').focus();
    return;
  }
  control('overflow-set', { specialty, threshold: n }, () => t('threshold_set', { specialty, n }));
}

// The quality sample of today: every selected call, its evaluation or "to evaluate".
function renderQuality() {
  const calls = ((snap.quality && snap.quality.arguments) || {}).calls || [];
  if (calls.length === 0) {
    $('quality-calls').replaceChildren(el('p', 'muted', t('no_quality')));
  } else {
    const table = el('table', 'figures');
    const head = el('tr');
    for (const h of ['quality_call', 'specialty', 'class', 'agent', 'answered', 'evaluation']) head.append(el('th', '', t(h)));
    table.append(head);
    for (const c of calls) {
      const row = el('tr');
      row.dataset.callId = c.call_id;
      const e = c.evaluation;
      for (const v of [c.call_id, c.specialty, t('class_' + c.class), c.agent, time(c.answered_at),
        e ? `${e.score}/5 · ${e.comment}` : t('to_evaluate')]) row.append(el('td', '', String(v ?? '')));
      table.append(row);
    }
    $('quality-calls').replaceChildren(table);
  }
  const select = $('quality-call');
  const chosen = select.value;
  const open = calls.filter((c) => !c.evaluation);
  select.replaceChildren(...open.map((c) => { const o = el('option', '', `${c.call_id} · ${c.agent}`); o.value = c.call_id; return o; }));
  if (open.some((c) => c.call_id === chosen)) select.value = chosen;
  $('quality-evaluate').disabled = open.length === 0;
}

async function evaluate(e) {
  e.preventDefault();
  const call = $('quality-call').value;
  if (!call) return;
  const score = Number($('quality-score').value);
  const r = await control('quality-evaluate', { call_id: call, score, comment: $('quality-comment').value },
    () => t('evaluated', { id: call, score }), 'quality-result');
  if (r.result === 0) $('quality-comment').value = '';
}

function bindControls() {
  const option = (value, text) => { const o = el('option', '', text); o.value = value; return o; };
  $('transfer-to').replaceChildren(...me.specialties.map((s) => option(s, s)));
  $('reclassify-to').replaceChildren(...Object.keys(me.targets).map((c) => option(c, t('class_' + c))));
  $('threshold-specialty').replaceChildren(...me.specialties.map((s) => option(s, s)));
  $('threshold-specialty').addEventListener('change', () => {
    const n = snap ? thresholdOf($('threshold-specialty').value) : null;
    if (n != null) $('threshold-value').value = n;
  });
  $('threshold-set').addEventListener('click', setThreshold);
  $('quality-form').addEventListener('submit', evaluate);
  $('agent-reason').replaceChildren(...me.pause_reasons.filter((r) => r !== 'no_answer' && r !== 'login').map((r) => option(r, r)));
  $('transfer').addEventListener('click', () => selectedCall && control('call-transfer', { call_id: selectedCall, specialty: $('transfer-to').value }));
  $('reclassify').addEventListener('click', () => selectedCall && control('call-reclassify', { call_id: selectedCall, class: $('reclassify-to').value }));
  $('agent-pause').addEventListener('click', () => selectedAgent && control('agent-pause', { agent: selectedAgent, reason: $('agent-reason').value }));
  $('agent-ready').addEventListener('click', () => {
    if (!selectedAgent) return;
    const chip = document.querySelector(`#agents [data-agent="${selectedAgent}"]`);
    control(chip && chip.dataset.state === 'logged_out' ? 'agent-login' : 'agent-ready', { agent: selectedAgent });
  });
}

function renderTeams() {
  const teams = (snap.overflow.arguments || {}).teams || [];
  const list = Array.isArray(teams) ? teams : Object.entries(teams).map(([team, v]) => ({ team, ...v }));
  $('teams').replaceChildren(...list.map((x) =>
    el('p', 'team', `${x.team ?? x.id} · ${x.active ?? 0} / ${x.max_concurrent ?? '?'} ${t('capacity')}`)));
}

function percent(x) { return x == null ? '–' : `${Math.round(x * 100)} %`; }

function renderFigures() {
  const a = snap.stats.arguments || {};
  $('since').textContent = a.since ? t('since', { t: time(a.since, true) }) : '';
  const table = el('table', 'figures');
  const head = el('tr');
  for (const h of ['specialty', 'class', 'offered', 'answered', 'abandoned', 'service_level', 'answer_rate']) head.append(el('th', '', t(h)));
  table.append(head);
  for (const s of a.specialties || []) {
    for (const [cls, f] of Object.entries(s.classes || {})) {
      const row = el('tr');
      for (const v of [s.specialty, t('class_' + cls), f.offered, f.answered, f.abandoned, percent(f.service_level), percent(f.answer_rate)]) row.append(el('td', '', String(v ?? 0)));
      table.append(row);
    }
  }
  $('figures').replaceChildren(table);
}

function render() {
  if (!snap) return;
  for (const o of $('reclassify-to').options) o.textContent = t('class_' + o.value);
  renderAlerts();
  renderQueues();
  renderAgents();
  renderTeams();
  renderFigures();
  renderQuality();
  // The threshold field starts at the chosen specialty's; then it is the supervisor's to edit.
  if (!$('threshold-value').dataset.filled) {
    const n = thresholdOf($('threshold-specialty').value);
    if (n != null) { $('threshold-value').value = n; $('threshold-value').dataset.filled = '1'; }
  }
}

async function start() {
  me = await session();
  if (!me) return;
  setZone(me.timezone);
  translate(render);
  bindSignOut();
  $('who').textContent = me.name;
  bindControls();
  // Large type for a wall screen, kept in this browser.
  const large = (on) => {
    document.body.classList.toggle('large', on);
    $('large').setAttribute('aria-pressed', String(on));
    localStorage.setItem('acdd.large', on ? '1' : '');
  };
  large(localStorage.getItem('acdd.large') === '1');
  $('large').addEventListener('click', () => large(!document.body.classList.contains('large')));
  follow('calls,agents,queues,alerts', { message: () => read() }, read);
  setInterval(() => {
    $('clock').textContent = clock();
    if (!document.body.classList.contains('stale')) tick();
  }, 1000);
}

start();
