// The sign-in page: on success, to the page of the user's role (or the page asked for).
import { t, translate } from './i18n.js';

translate();
const form = document.getElementById('signin-form');
const error = document.getElementById('signin-error');
form.addEventListener('submit', async (e) => {
  e.preventDefault();
  error.hidden = true;
  const r = await fetch('/api/login', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ user: form.user.value, password: form.password.value }),
  });
  if (!r.ok) {
    error.textContent = t(r.status === 429 ? 'signin_locked' : 'signin_failed');
    error.hidden = false;
    form.password.select();
    return;
  }
  const user = await r.json();
  // Each role has one page: an agent its desk, a supervisor or an admin the board.
  location.assign(user.role === 'agent' ? '/desk' : '/board');
});
