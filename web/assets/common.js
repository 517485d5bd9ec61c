// What the desk and the board share: commands, the session, live events, times in the site's zone.
import { t, known, language } from './i18n.js';

// Runs an admin command; answers its response envelope. No session any more: to the sign-in.
export async function command(name, args = {}) {
  const r = await fetch('/api/command', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ command: name, arguments: args }),
  });
  if (r.status === 401) signIn();
  return r.json();
}

export function signIn() {
  location.assign('/?next=' + encodeURIComponent(location.pathname));
}

export async function session() {
  const r = await fetch('/api/session');
  if (r.status === 401) { signIn(); return null; }
  return r.json();
}

export function bindSignOut() {
  document.getElementById('signout').addEventListener('click', async () => {
    await fetch('/api/logout', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    location.assign('/');
  });
}

// Follows /api/events: `handlers` by event name ('message' for the plain ones), `resync` after
// every (re)connection, since what happened while the link was down was not seen. While the link
// is down, #link says so and the body has the class `stale` (numbers shown greyed, never as live).
export function follow(topics, handlers, resync) {
  const link = document.getElementById('link');
  let source = null;
  let retry = 1000;
  const down = () => {
    document.body.classList.add('stale');
    link.textContent = t('link_down');
    link.className = 'link down';
  };
  const open = () => {
    source = new EventSource('/api/events?topics=' + topics);
    source.addEventListener('open', () => {
      retry = 1000;
      document.body.classList.remove('stale');
      link.textContent = t('link_up');
      link.className = 'link up';
      resync();
    });
    for (const [name, handle] of Object.entries(handlers)) {
      source.addEventListener(name, (e) => handle(JSON.parse(e.data)));
    }
    source.addEventListener('error', async () => {
      down();
      if (source.readyState !== EventSource.CLOSED) return;  // the browser retries by itself
      // Refused (an ended session, acdd restarting): check the session, then open a new one.
      const r = await fetch('/api/session').catch(() => null);
      if (r && r.status === 401) return signIn();
      setTimeout(open, retry);
      retry = Math.min(retry * 2, 15000);
    });
  };
  down();
  open();
}

let zone;
export function setZone(name) { zone = name || undefined; }

// An RFC 3339 time shown in the site's zone.
export function time(iso, withDate = false) {
  if (!iso) return '';
  const options = { timeZone: zone, hour: '2-digit', minute: '2-digit' };
  if (withDate) Object.assign(options, { weekday: 'short', day: 'numeric', month: 'short' });
  return new Intl.DateTimeFormat(language(), options).format(new Date(iso));
}

// The date (YYYY-MM-DD) of `date` in the site's zone.
export function siteDate(date) {
  return new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' })
    .format(date);
}

// A command's refusal in words: the page's own for the codes it knows, else acdd's message.
export function refusal(r) {
  const code = r && r.arguments && r.arguments.code;
  return t('refused', { text: code && known('code_' + code) ? t('code_' + code) : (r.text || '') });
}

export function clock() {
  return new Intl.DateTimeFormat(language(), { timeZone: zone, hour: '2-digit', minute: '2-digit', second: '2-digit' })
    .format(new Date());
}

// Seconds as "m:ss".
export function duration(s) {
  const a = Math.max(0, Math.round(Math.abs(s)));
  return `${Math.floor(a / 60)}:${String(a % 60).padStart(2, '0')}`;
}

// A new element with a class and text.
export function el(tag, className = '', text = '') {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== '') e.textContent = text;
  return e;
}
