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
    board_keys: 'Choisir un appel ou un agent : clic, ou Tab puis Entrée.', booking: 'Prendre rendez-vous', find_slots: 'Créneaux libres',
    book_slot: 'Réserver', booked: 'Rendez-vous pris (n° {id}).', no_slot: 'Aucun créneau libre.',
    practitioner: 'Praticien', from_date: 'Du', to_date: 'Au', move_here: 'Déplacer ici',
    waitlist_before: 'Liste d\u2019attente : avant le', waitlist_add: 'Inscrire sur la liste d\u2019attente',
    waitlisted: 'Inscrit sur la liste d\u2019attente (n° {id}).', appointment_actions: 'Déplacer ou annuler un rendez-vous',
    appointment: 'Rendez-vous', cancel_reason: 'Motif d\u2019annulation', cancel_appointment: 'Annuler le rendez-vous',
    move_appointment: 'Déplacer le rendez-vous', cancel_reason_needed: 'Indiquez le motif de l\u2019annulation.',
    cancelled: 'Rendez-vous n° {id} annulé ; le créneau est libre.', waitlist_matches: '{n} patient(s) en liste d\u2019attente pour ce créneau.',
    moving: 'Déplacement du rendez-vous n° {id} ({when}) : choisissez un nouveau créneau.', moved: 'Rendez-vous n° {id} déplacé au {when}.',
    no_appointment: 'aucun rendez-vous à venir', appointment_no: 'n° {id}',
    code_slot_taken: 'ce créneau vient d\u2019être pris', code_unknown_slot: 'ce créneau n\u2019existe pas',
    code_unknown_appointment: 'ce rendez-vous n\u2019existe pas', code_forbidden: 'votre rôle ne le permet pas',
    code_slot_overlap: 'ce créneau en chevauche un autre',
    threshold: 'Seuil de débordement', set_threshold: 'Changer le seuil', threshold_now: 'seuil {n}',
    threshold_set: 'Seuil de {specialty} : {n} appels.', quality: 'Évaluation qualité', score: 'Note (1 à 5)',
    comment: 'Commentaire', evaluate: 'Évaluer', evaluated: 'Appel {id} évalué : {score}/5.', to_evaluate: 'à évaluer',
    no_quality: 'Aucun appel à évaluer aujourd\u2019hui.', answered_at: 'répondu à {t}', agent: 'agent',
    quality_call: 'Appel', evaluation: 'Évaluation', threshold_needed: 'indiquez un nombre entier d\u2019appels, 0 ou plus.',
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
    board_keys: 'Select a call or an agent: click, or Tab then Enter.', booking: 'Book an appointment', find_slots: 'Free slots',
    book_slot: 'Book', booked: 'Appointment booked (no. {id}).', no_slot: 'No free slot.',
    practitioner: 'Practitioner', from_date: 'From', to_date: 'To', move_here: 'Move here',
    waitlist_before: 'Waiting list: before', waitlist_add: 'Add to the waiting list',
    waitlisted: 'Added to the waiting list (no. {id}).', appointment_actions: 'Move or cancel an appointment',
    appointment: 'Appointment', cancel_reason: 'Reason for cancelling', cancel_appointment: 'Cancel the appointment',
    move_appointment: 'Move the appointment', cancel_reason_needed: 'Give the reason for cancelling.',
    cancelled: 'Appointment no. {id} cancelled; its slot is free.', waitlist_matches: '{n} patient(s) on the waiting list for this slot.',
    moving: 'Moving appointment no. {id} ({when}): choose a new slot.', moved: 'Appointment no. {id} moved to {when}.',
    no_appointment: 'no upcoming appointment', appointment_no: 'no. {id}',
    code_slot_taken: 'the slot was just taken', code_unknown_slot: 'no such slot',
    code_unknown_appointment: 'no such appointment', code_forbidden: 'your role does not allow it',
    code_slot_overlap: 'the slot overlaps another',
    threshold: 'Overflow threshold', set_threshold: 'Change the threshold', threshold_now: 'threshold {n}',
    threshold_set: 'Threshold of {specialty}: {n} calls.', quality: 'Quality evaluation', score: 'Score (1 to 5)',
    comment: 'Comment', evaluate: 'Evaluate', evaluated: 'Call {id} evaluated: {score}/5.', to_evaluate: 'to evaluate',
    no_quality: 'No call to evaluate today.', answered_at: 'answered at {t}', agent: 'agent',
    quality_call: 'Call', evaluation: 'Evaluation', threshold_needed: 'give a whole number of calls, 0 or more.',
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

// Whether `key` has words (in French, the reference).
export function known(key) { return key in words.fr; }

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
