// The supervisors' wallboard: alerts, every specialty's queue against its class targets, agents by
// state, overflow teams' load, today's figures. Every live event schedules a fresh read of the
// snapshots (at most one in flight); between them, waits and countdowns tick locally.
import { t, translate } from './i18n.js';
import { command, session, bindSignOut, follow, setZone, time, clock, duration, el } from './common.js';

const $ = (id) => document.getElementById(id);
let me = null;
let snap = null;    // the last snapshots read
let readAt = 0;     // when (ms)
let reading = false;
let again = false;

async function read() {
  if (reading) { again = true; return; }
  reading = true;
  try {
    const [status, queues, agents, calls, overflow, stats] = await Promise.all(
      ['status-get', 'queue-list', 'agent-list', 'call-list', 'overflow-get', 'stats-get'].map((c) => command(c)));
    const details = await Promise.all(me.specialties.map((s) => command('queue-get', { specialty: s })));
    snap = { status, queues, agents, calls, overflow, stats, details };
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
    if (q.exceeds_threshold) card.append(el('p', 'warn', t('over_threshold')));
    const calls = ((snap.details[i] || {}).arguments || {}).calls || [];
    if (calls.length === 0) card.append(el('p', 'muted', t('no_call')));
    const ul = el('ul', 'calls');
    for (const c of calls) {
      const left = (c.deadline_in_s ?? 0) - elapsed();
      const target = me.targets[c.class] || 1;
      const li = el('li', 'call ' + c.class + (left < 0 ? ' late' : left < target / 3 ? ' soon' : ''));
      li.dataset.callId = c.call_id;
      li.append(el('span', 'class', t('class_' + c.class)), el('span', 'wait', duration((c.wait_s ?? 0) + elapsed())),
        el('span', 'left', left < 0 ? t('late', { s: duration(-left) }) : t('left', { s: duration(left) })),
        el('span', 'target', `${t('target')} ${duration(target)}`));
      ul.append(li);
    }
    card.append(ul);
    return card;
  });
  $('queues').replaceChildren(...cards);
}

function renderAgents() {
  const agents = (snap.agents.arguments || {}).agents || [];
  const order = ['ready', 'reserved', 'busy', 'wrap_up', 'paused', 'logged_out'];
  const groups = order.map((state) => {
    const them = agents.filter((a) => a.state === state);
    if (them.length === 0) return null;
    const d = el('div', 'agents ' + state);
    d.append(el('h3', 'state ' + state, `${t('state_' + state)} (${them.length})`));
    d.append(el('p', '', them.map((a) => a.agent + (a.reason ? ` (${a.reason})` : '') +
      (state === 'logged_out' ? '' : ` ${duration((a.state_for_s ?? 0) + elapsed())}`)).join(' · ')));
    return d;
  }).filter(Boolean);
  $('agents').replaceChildren(...groups);
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
  renderAlerts();
  renderQueues();
  renderAgents();
  renderTeams();
  renderFigures();
}

async function start() {
  me = await session();
  if (!me) return;
  setZone(me.timezone);
  translate(render);
  bindSignOut();
  $('who').textContent = me.name;
  follow('calls,agents,queues,alerts', { message: () => read() }, read);
  setInterval(() => {
    $('clock').textContent = clock();
    if (!document.body.classList.contains('stale')) { renderQueues(); renderAgents(); }
  }, 1000);
}

start();
