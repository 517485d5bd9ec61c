// The agent's desk: its state and controls, and the card of the call routed to it, from the
// screen pop until its wrap-up ends.
import { t, translate } from './i18n.js';
import { command, session, bindSignOut, follow, setZone, time, duration, el, siteDate, refusal } from './common.js';

const $ = (id) => document.getElementById(id);
let me = null;      // GET /api/session
let agent = null;   // the agent as last seen: {agent, state, reason, state_for_s}
let seenAt = 0;     // when `agent` was seen (ms)
let pop = null;     // the call card's screen pop
let popAt = 0;
let history = null; // caller-history of the card's call
let wrapUp = 0;     // the agent's wrap-up time (s)
let moving = null;  // the appointment being moved: the free slots offer to move it there

function showState() {
  if (!agent) return;
  $('agent-state').textContent = t('state_' + agent.state);
  $('agent-state').className = 'state ' + agent.state;
  $('agent-state').dataset.state = agent.state;
  $('agent-reason').textContent = agent.reason ? `(${agent.reason})` : '';
  const since = (agent.state_for_s || 0) + (Date.now() - seenAt) / 1000;
  $('agent-since').textContent = agent.state === 'wrap_up' && wrapUp > 0
    ? t('wrap_up_left', { s: duration(wrapUp - since) }) : t('for', { s: duration(since) });
  const onCall = ['reserved', 'busy'].includes(agent.state);
  $('ready').disabled = onCall || agent.state === 'ready';
  $('pause').disabled = onCall || agent.state === 'paused' || agent.state === 'logged_out';
  $('agent-logout').disabled = onCall || agent.state === 'logged_out';
}

function setAgent(a) {
  agent = a;
  seenAt = Date.now();
  // The card stays while the call rings, is talked and wrapped up; then it goes.
  if (pop && !['reserved', 'busy', 'wrap_up'].includes(a.state)) closeCard();
  showState();
}

function closeCard() {
  pop = null;
  history = null;
  moving = null;
  $('call-card').hidden = true;
}

function list(items, render) {
  if (!items || items.length === 0) return el('p', 'muted', t('none'));
  const ul = el('ul');
  for (const i of items) ul.append(el('li', '', render(i)));
  return ul;
}

function showCard() {
  if (!pop) return;
  $('call-card').hidden = false;
  $('call-card').dataset.callId = pop.call_id;
  $('call-specialty').textContent = pop.specialty ?? '';
  $('call-class').textContent = t('class_' + pop.class);
  $('call-class').className = 'class ' + pop.class;
  $('call-wait').textContent = duration((pop.wait_s || 0) + (Date.now() - popAt) / 1000);
  const c = pop.caller || {};
  $('call-past').textContent = String(c.past_calls ?? 0);
  const next = c.next_appointment;
  $('call-next').textContent = next ? `${time(next.start, true)} · ${next.specialty} · ${next.practitioner}` : t('none');
  $('script').replaceChildren(...(pop.script || []).map((line) => el('li', '', line)));
  const h = $('history');
  if (!history) { showAppointments(); return; }
  h.replaceChildren(
    el('p', '', t('calls_total', { n: history.calls_total ?? 0 })),
    list(history.calls, (c) => `${time(c.at || c.offered_at, true)} · ${c.specialty ?? ''} · ${t('class_' + c.class)} · ${c.outcome ?? ''}`),
    el('h4', '', t('upcoming')),
    list(history.appointments, appointmentText),
    el('h4', '', t('open_messages')),
    list(history.messages, (m) => `${m.urgency} · ${m.reason} · ${m.action}`));
  h.dataset.loaded = '1';
  showAppointments();
}

function appointmentText(a) {
  return `${time(a.start, true)} · ${a.specialty} · ${a.practitioner} · ${t('appointment_no', { id: a.appointment_id })}`;
}

// The caller's upcoming appointments, to move or cancel; the choice survives a fresh history.
function showAppointments() {
  const select = $('appointment-select');
  const chosen = select.value;
  const upcoming = (history && history.appointments) || [];
  if (upcoming.length === 0) {
    const o = el('option', '', t('no_appointment'));
    o.value = '';
    select.replaceChildren(o);
  } else {
    select.replaceChildren(...upcoming.map((a) => {
      const o = el('option', '', appointmentText(a));
      o.value = String(a.appointment_id);
      return o;
    }));
    if (upcoming.some((a) => String(a.appointment_id) === chosen)) select.value = chosen;
  }
  $('appointment-cancel').disabled = upcoming.length === 0;
  $('appointment-move').disabled = upcoming.length === 0;
}

function chosenAppointment() {
  const id = $('appointment-select').value;
  return ((history && history.appointments) || []).find((a) => String(a.appointment_id) === id) || null;
}

// Shows a command's result (`ok` words) or its refusal in words in `target`.
function report(target, r, ok) {
  $(target).textContent = r.result === 0 ? ok() : refusal(r);
  $(target).className = r.result === 0 ? 'ok' : 'error';
}

async function screenPop(p) {
  pop = p;
  popAt = Date.now();
  history = null;
  $('history').replaceChildren(el('p', '', t('loading')));
  delete $('history').dataset.loaded;
  for (const id of ['msg-result', 'book-result', 'waitlist-result', 'appointment-result']) $(id).textContent = '';
  $('slots').replaceChildren();
  moving = null;
  $('moving').hidden = true;
  showCard();
  const r = await command('caller-history', { call_id: p.call_id });
  if (pop !== p) return;
  if (r.result === 0) {
    history = r.arguments;
    const patient = history.patient || {};
    for (const id of ['msg-name', 'book-name']) {
      if (patient.name && !$(id).value) $(id).value = patient.name;
    }
  } else {
    $('history').replaceChildren(el('p', 'error', refusal(r)));
  }
  showCard();
}

async function act(name, args) {
  const r = await command(name, args);
  $('action-result').textContent = r.result === 0 ? '' : t('refused', { text: r.text });
  if (r.result === 0 && r.arguments && r.arguments.state) setAgent(r.arguments);
}

function ready() {
  if (!agent) return;
  act(agent.state === 'logged_out' ? 'agent-login' : 'agent-ready', { agent: me.agent });
}
function pause() {
  act('agent-pause', { agent: me.agent, reason: $('pause-reason').value });
}

async function sendMessage(e) {
  e.preventDefault();
  if (!pop) return;
  const phone = history && history.patient ? history.patient.phone : undefined;
  const r = await command('message-create', {
    specialty: pop.specialty,
    patient: { phone, name: $('msg-name').value },
    urgency: $('msg-urgency').value,
    reason: $('msg-reason').value,
    body: $('msg-body').value,
    action: $('msg-action').value,
    call_id: pop.call_id,
  });
  report('msg-result', r, () => t('message_sent', { id: r.arguments.message_id }));
  if (r.result === 0) {
    $('message-form').reset();
    refreshHistory();
  }
}

// RFC 3339 without milliseconds.
function iso(date) { return date.toISOString().replace(/\.\d{3}Z$/, 'Z'); }

async function refreshHistory() {
  const h = await command('caller-history', { call_id: pop.call_id });
  if (h.result === 0) { history = h.arguments; showCard(); }
}

// The free slots of the specialty (of the appointment being moved, else of the call), between
// the two dates (days in the site's zone), of the practitioner when one is named.
async function findSlots() {
  if (!pop) return;
  const specialty = moving ? moving.specialty : pop.specialty;
  const now = new Date();
  const first = $('slot-from').value || siteDate(now);
  const last = $('slot-to').value || siteDate(new Date(now.getTime() + 14 * 86400000));
  // A day either side covers any zone; the site's days are picked below.
  const from = new Date(Math.max(now.getTime(), Date.parse(first + 'T00:00:00Z') - 86400000));
  const to = new Date(Date.parse(last + 'T23:59:59Z') + 86400000);
  const list = $('slots');
  if (!(to > from)) { list.replaceChildren(el('li', 'muted', t('no_slot'))); return; }
  const r = await command('slot-list', { specialty, from: iso(from), to: iso(to), free_only: true });
  if (r.result !== 0 && r.result !== 3) {
    list.replaceChildren(el('li', 'error', refusal(r)));
    return;
  }
  const who = $('slot-practitioner').value.trim().toLowerCase();
  const slots = ((r.arguments && r.arguments.slots) || []).filter((s) => {
    const day = siteDate(new Date(s.start));
    return Date.parse(s.start) > now.getTime() && day >= first && day <= last &&
      (!who || s.practitioner.toLowerCase().includes(who));
  });
  if (slots.length === 0) list.replaceChildren(el('li', 'muted', t('no_slot')));
  else list.replaceChildren(...slots.map((s) => {
    const li = el('li', '', `${time(s.start, true)} · ${s.practitioner} · ${s.duration_min} min `);
    const b = el('button', moving ? 'move' : 'book', t(moving ? 'move_here' : 'book_slot'));
    b.type = 'button';
    b.dataset.slotId = s.slot_id;
    b.addEventListener('click', () => (moving ? moveTo(s) : book(s)));
    li.append(b);
    return li;
  }));
  const button = list.querySelector('button');
  if (button) button.focus();
}

async function book(slot) {
  const form = $('book-form');
  if (!form.reportValidity()) return;
  const phone = history && history.patient ? history.patient.phone : undefined;
  const r = await command('appointment-book', {
    slot_id: slot.slot_id,
    patient: { phone, name: $('book-name').value },
    reason: $('book-reason').value,
    call_id: pop.call_id,
  });
  // A refusal in words: the slot was just taken, the patient unknown...
  report('book-result', r, () => t('booked', { id: r.arguments.appointment_id }));
  if (r.result === 0) {
    $('slots').replaceChildren();
    refreshHistory();
  } else {
    findSlots();
  }
}

function stopMoving() {
  moving = null;
  $('moving').hidden = true;
  $('slots').replaceChildren();
}

// Move: the free slots of the appointment's specialty offer "Move here".
function startMove() {
  const a = chosenAppointment();
  if (!a) return;
  moving = a;
  $('moving').textContent = t('moving', { id: a.appointment_id, when: time(a.start, true) });
  $('moving').hidden = false;
  $('appointment-result').textContent = '';
  findSlots();
}

async function moveTo(slot) {
  const a = moving;
  const r = await command('appointment-move', { appointment_id: a.appointment_id, slot_id: slot.slot_id, call_id: pop.call_id });
  report('appointment-result', r, () => t('moved', { id: a.appointment_id, when: time(slot.start, true) }));
  if (r.result === 0) {
    stopMoving();
    refreshHistory();
  } else {
    findSlots();  // the slot was just taken: the list is read again
  }
}

async function cancelAppointment() {
  const a = chosenAppointment();
  if (!a) return;
  const reason = $('cancel-reason').value.trim();
  if (!reason) {
    $('appointment-result').textContent = t('cancel_reason_needed');
    $('appointment-result').className = 'error';
    $('cancel-reason').focus();
    return;
  }
  const r = await command('appointment-cancel', { appointment_id: a.appointment_id, reason, call_id: pop.call_id });
  report('appointment-result', r, () => {
    const waiting = (r.arguments.waitlist || []).length;
    return t('cancelled', { id: a.appointment_id }) + (waiting > 0 ? ' ' + t('waitlist_matches', { n: waiting }) : '');
  });
  if (r.result === 0) {
    if (moving && moving.appointment_id === a.appointment_id) stopMoving();
    $('cancel-reason').value = '';
    refreshHistory();
  }
}

async function addToWaitlist() {
  if (!pop || !$('book-form').reportValidity()) return;
  const phone = history && history.patient ? history.patient.phone : undefined;
  const args = {
    specialty: pop.specialty,
    patient: { phone, name: $('book-name').value },
    reason: $('book-reason').value,
  };
  if ($('waitlist-before').value) args.before = $('waitlist-before').value;
  const r = await command('waitlist-add', args);
  report('waitlist-result', r, () => t('waitlisted', { id: r.arguments.entry_id }));
}

function render() {
  showState();
  showCard();
  for (const o of $('pause-reason').options) o.textContent = o.value;
}

async function start() {
  me = await session();
  if (!me) return;
  setZone(me.timezone);
  translate(render);
  bindSignOut();
  $('who').textContent = `${me.name} (${me.agent})`;
  $('pause-reason').replaceChildren(...me.pause_reasons.filter((r) => r !== 'no_answer' && r !== 'login')
    .map((r) => { const o = el('option', '', r); o.value = r; return o; }));
  if (me.agent_state) {
    wrapUp = me.agent_state.wrap_up_s || 0;
    setAgent(me.agent_state);
  }
  $('ready').addEventListener('click', ready);
  $('pause').addEventListener('click', pause);
  $('agent-logout').addEventListener('click', () => act('agent-logout', { agent: me.agent }));
  $('message-form').addEventListener('submit', sendMessage);
  $('book-form').addEventListener('submit', (e) => e.preventDefault());
  $('find-slots').addEventListener('click', findSlots);
  $('appointment-form').addEventListener('submit', (e) => e.preventDefault());
  $('appointment-cancel').addEventListener('click', cancelAppointment);
  $('appointment-move').addEventListener('click', startMove);
  $('waitlist-add').addEventListener('click', addToWaitlist);
  const today = new Date();
  $('slot-from').value = siteDate(today);
  $('slot-to').value = siteDate(new Date(today.getTime() + 14 * 86400000));
  document.addEventListener('keydown', (e) => {
    if (!e.altKey) return;
    const key = e.key.toLowerCase();
    if (key === 'r') { e.preventDefault(); ready(); }
    if (key === 'p') { e.preventDefault(); pause(); }
    if (key === 'm' && pop) { e.preventDefault(); $('msg-name').focus(); }
    if (key === 'b' && pop) { e.preventDefault(); $('book-reason').focus(); findSlots(); }
  });
  follow('agents,calls', {
    message: (m) => { if (m.topic === 'agents' && m.agent && m.agent.agent === me.agent) setAgent(m.agent); },
    screen_pop: screenPop,
  }, async () => {
    const s = await session();
    if (s && s.agent_state) setAgent(s.agent_state);
  });
  setInterval(() => { showState(); if (pop) $('call-wait').textContent = duration((pop.wait_s || 0) + (Date.now() - popAt) / 1000); }, 1000);
}

start();
