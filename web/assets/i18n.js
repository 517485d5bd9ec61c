// The pages' words in French and English. The language is the one chosen with the switch (kept
// in this browser), else the browser's first of French and English, else French.
const words = {
  fr: {
    switch_language: 'English', sign_in: 'Connexion', user: 'Utilisateur', password: 'Mot de passe',
    signin_failed: 'Utilisateur ou mot de passe incorrect.', signin_locked: 'Trop d\u2019essais : réessayez dans 5 minutes.',
    forbidden_title: 'Accès refusé', forbidden_text: 'Votre rôle ne donne pas accès à cette page.',
    back_to_sign_in: 'Retour à la connexion', desk: 'Poste agent', board: 'Tableau de supervision',
    sign_out: 'Se déconnecter', my_state: 'Mon état', ready: 'Prêt', pause: 'Pause',
    pause_reason: 'Motif', log_out_agent: 'Fin de service',
    desk_keys: 'Clavier : Alt+R prêt, Alt+P pause, Alt+B rendez-vous, Alt+M message.',
    call: 'Appel en cours', specialty: 'Spécialité', class: 'Type', wait: 'Attente',
    past_calls: 'Appels précédents', next_appointment: 'Prochain rendez-vous', script: 'Consignes',
    history: 'Historique de l\u2019appelant', loading: 'Chargement…', none: 'aucun',
    message: 'Message qualifié', patient_name: 'Patient', reason: 'Motif', urgency: 'Urgence',
    normal: 'normale', urgent: 'urgente', action: 'Action demandée', call_back: 'rappeler',
    book: 'prendre rendez-vous', info: 'information', body: 'Message', send_message: 'Envoyer le message',
    message_sent: 'Message enregistré (n° {id}).', refused: 'Refusé : {text}',
    link_up: 'En direct', link_down: 'Liaison interrompue : reconnexion… les chiffres ne sont plus à jour',
    queues: 'Files d\u2019attente', agents: 'Agents', teams: 'Équipes de débordement', today: 'Aujourd\u2019hui',
    waiting: 'en attente', oldest: 'plus ancien', over_threshold: 'au-delà du seuil de débordement',
    no_call: 'Aucun appel en attente', late: 'en retard de {s}', left: 'reste {s}',
    target: 'objectif', calls: 'appels', capacity: 'capacité',
    state_ready: 'prêt', state_reserved: 'sonne', state_busy: 'en appel', state_wrap_up: 'post-appel',
    state_paused: 'en pause', state_logged_out: 'hors service',
    class_urgent: 'urgent', class_appointment: 'rendez-vous', class_admin: 'administratif',
    alert_call_late: 'Appel en retard', alert_queue_unstaffed: 'File sans agent',
    offered: 'présentés', answered: 'répondus', abandoned: 'abandonnés', service_level: 'niveau de service',
    answer_rate: 'taux de réponse', since: 'depuis {t}', for: 'depuis {s}', wrap_up_left: 'post-appel : reste {s}',
    calls_total: '{n} appel(s)', outcome: 'issue', open_messages: 'Messages ouverts',
    upcoming: 'Rendez-vous à venir', large_type: 'Grands caractères', controls: 'Actions', selected_call: 'Appel choisi :',
    selected_agent: 'Agent choisi :', to_specialty: 'vers', transfer: 'Transférer', to_class: 'type',
    reclassify: 'Reclasser', done: 'Fait : {text}',
    board_keys: 'Choisir un appel ou un agent : clic, ou Tab puis Entrée.', booking: 'Prendre rendez-vous', find_slots: 'Créneaux libres (14 jours)',
    book_slot: 'Réserver', booked: 'Rendez-vous pris (n° {id}).', no_slot: 'Aucun créneau libre.',
  },
  en: {
    switch_language: 'Français', sign_in: 'Sign in', user: 'User', password: 'Password',
    signin_failed: 'Wrong user name or password.', signin_locked: 'Too many attempts: try again in 5 minutes.',
    forbidden_title: 'Access refused', forbidden_text: 'Your role does not give access to this page.',
    back_to_sign_in: 'Back to sign-in', desk: 'Agent desk', board: 'Supervision board',
    sign_out: 'Sign out', my_state: 'My state', ready: 'Ready', pause: 'Pause',
    pause_reason: 'Reason', log_out_agent: 'End of shift',
    desk_keys: 'Keyboard: Alt+R ready, Alt+P pause, Alt+B booking, Alt+M message.',
    call: 'Current call', specialty: 'Specialty', class: 'Class', wait: 'Wait',
    past_calls: 'Past calls', next_appointment: 'Next appointment', script: 'Script',
    history: 'Caller\u2019s history', loading: 'Loading…', none: 'none',
    message: 'Qualified message', patient_name: 'Patient', reason: 'Reason', urgency: 'Urgency',
    normal: 'normal', urgent: 'urgent', action: 'Action asked', call_back: 'call back',
    book: 'book', info: 'information', body: 'Message', send_message: 'Send the message',
    message_sent: 'Message recorded (no. {id}).', refused: 'Refused: {text}',
    link_up: 'Live', link_down: 'Link down: reconnecting… figures are not up to date',
    queues: 'Queues', agents: 'Agents', teams: 'Overflow teams', today: 'Today',
    waiting: 'waiting', oldest: 'oldest', over_threshold: 'over the overflow threshold',
    no_call: 'No call waiting', late: 'late by {s}', left: '{s} left',
    target: 'target', calls: 'calls', capacity: 'capacity',
    state_ready: 'ready', state_reserved: 'ringing', state_busy: 'on a call', state_wrap_up: 'wrap-up',
    state_paused: 'paused', state_logged_out: 'logged out',
    class_urgent: 'urgent', class_appointment: 'appointment', class_admin: 'administrative',
    alert_call_late: 'Call late', alert_queue_unstaffed: 'Queue without agents',
    offered: 'offered', answered: 'answered', abandoned: 'abandoned', service_level: 'service level',
    answer_rate: 'answer rate', since: 'since {t}', for: 'for {s}', wrap_up_left: 'wrap-up: {s} left',
    calls_total: '{n} call(s)', outcome: 'outcome', open_messages: 'Open messages',
    upcoming: 'Upcoming appointments', large_type: 'Large type', controls: 'Actions', selected_call: 'Selected call:',
    selected_agent: 'Selected agent:', to_specialty: 'to', transfer: 'Transfer', to_class: 'class',
    reclassify: 'Reclassify', done: 'Done: {text}',
    board_keys: 'Select a call or an agent: click, or Tab then Enter.', booking: 'Book an appointment', find_slots: 'Free slots (14 days)',
    book_slot: 'Book', booked: 'Appointment booked (no. {id}).', no_slot: 'No free slot.',
  },
};

export function language() {
  const chosen = localStorage.getItem('acdd.lang');
  if (chosen === 'fr' || chosen === 'en') return chosen;
  for (const l of navigator.languages || [navigator.language || '']) {
    if (l.startsWith('fr')) return 'fr';
    if (l.startsWith('en')) return 'en';
  }
  return 'fr';
}

// The words of `key` in the page's language, with {name} replaced from `values`.
export function t(key, values = {}) {
  const text = words[language()][key] ?? words.fr[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, k) => String(values[k] ?? ''));
}

// Fills every [data-i18n] element, and makes #lang switch the language and call `changed`.
export function translate(changed = () => {}) {
  document.documentElement.lang = language();
  for (const e of document.querySelectorAll('[data-i18n]')) e.textContent = t(e.dataset.i18n);
  const button = document.getElementById('lang');
  if (button && !button.dataset.bound) {
    button.dataset.bound = '1';
    button.addEventListener('click', () => {
      localStorage.setItem('acdd.lang', language() === 'fr' ? 'en' : 'fr');
      translate(changed);
      changed();
    });
  }
}
