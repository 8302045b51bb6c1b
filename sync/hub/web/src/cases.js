// The dashboard's Cases tab: the figures of the cases opened in the chosen dates and store (tiles), the case
// list with its own filters, and one case with its answer, shopper, contact, notes and audit. The contact
// comes masked for every role; managers and admins get a "Show contact" button (one audited reveal, masked
// again on the next load) and the actions; the hub refuses both to analysts whatever this page shows.
'use strict';
(function () {
  const section = document.getElementById('tab-cases');
  if (!section) return;
  let filters = null;       // the dashboard's dates and store, from app.js
  let mayChange = false;    // from the figures answer: the session's role
  let chosenId = null;

  const { $, el, when, call } = window.touchpointPage;
  function duration(ms) {
    if (ms === null || ms === undefined) return '–';
    const minutes = Math.round(ms / 60000);
    if (minutes < 60) return `${minutes} min`;
    if (minutes < 48 * 60) return `${(minutes / 60).toFixed(1)} h`;
    return `${(minutes / 1440).toFixed(1)} days`;
  }
  function statusText(s) { return { open: 'Open', in_progress: 'In progress', resolved: 'Resolved' }[s] || s; }
  const caseStatus = window.touchpointPage.say;

  // ---- figures -------------------------------------------------------------------------------------------
  function tile(metric, title, value, note) {
    const t = el('div', { class: 'tile', 'data-metric': metric });
    t.append(el('h2', {}, title), el('div', { class: 'value' }, value), el('div', { class: 'n' }, note));
    return t;
  }

  function renderFigures(f) {
    const box = $('#case-figures');
    box.textContent = '';
    const nv = f.nextVisitNps;
    const npsValue = nv.nps !== null ? nv.nps.toFixed(1) : (nv.tooFew ? 'n too small' : '–');
    const sla = f.resolvedWithinSla.percent;
    box.append(
      tile('cases-opened', 'Cases opened', f.opened, `${f.open} open, ${f.inProgress} in progress, ${f.resolved} resolved`),
      tile('cases-overdue', 'Overdue', f.overdue, 'not resolved, past due'),
      tile('cases-first-action', 'Time to first action', duration(f.firstAction.medianMs),
        `median; p90 ${duration(f.firstAction.p90Ms)}; ${f.firstAction.cases} acted on`),
      tile('cases-sla', 'Resolved within SLA', sla !== null ? `${sla.toFixed(1)}%` : '–',
        `${f.resolvedWithinSla.cases} of ${f.resolved} resolved`),
      tile('cases-next-visit', 'NPS on the next visit', npsValue,
        `${nv.answers} answers after resolution (needs ${nv.minAnswers})`));
    if (f.overdue > 0) $('[data-metric="cases-overdue"]', box).classList.add('warn');
    if (nv.nps === null) $('[data-metric="cases-next-visit"] .value', box).classList.add('small');
  }

  async function loadFigures() {
    const q = new URLSearchParams({ from: filters.from, to: filters.to });
    if (filters.store) q.set('store', filters.store);
    const f = await call(`/dashboard/api/case-figures?${q}`);
    mayChange = Boolean(f.viewer && f.viewer.mayChange);
    section.dataset.role = (f.viewer && f.viewer.role) || '';
    renderFigures(f);
  }

  // ---- list ----------------------------------------------------------------------------------------------
  function listQuery() {
    const q = new URLSearchParams();
    if ($('#case-store').value) q.set('store', $('#case-store').value);
    if ($('#case-status').value) q.set('status', $('#case-status').value);
    if ($('#case-overdue').checked) q.set('overdue', 'true');
    return q.toString();
  }

  function renderList(cases) {
    const body = $('#case-list tbody');
    body.textContent = '';
    for (const c of cases) {
      const tr = body.insertRow();
      tr.dataset.caseId = c.id;
      tr.tabIndex = 0;
      tr.setAttribute('aria-label', `Case at ${c.store}, opened ${when(c.openedAt)}, ${statusText(c.status)}` +
        (c.overdue ? ', overdue' : ''));
      if (c.overdue) tr.classList.add('overdue');
      if (c.id === chosenId) tr.classList.add('chosen');
      const scores = [c.nps !== null ? `NPS ${c.nps}` : null, c.csat !== null ? `CSAT ${c.csat}` : null]
        .filter(Boolean).join(' / ') || '–';
      for (const cell of [c.store, when(c.openedAt), when(c.dueAt), statusText(c.status), c.rule, scores,
        c.assignee || '–']) tr.insertCell().textContent = cell;
      tr.addEventListener('click', () => openCase(c.id));
      tr.addEventListener('keydown', (event) => {
        if (event.key === 'Enter' || event.key === ' ') { event.preventDefault(); openCase(c.id); }
      });
    }
    if (cases.length === 0) {
      const td = body.insertRow().insertCell();
      td.colSpan = 7;
      td.className = 'empty';
      td.textContent = 'No cases match';
    }
  }

  async function loadList() {
    const answer = await call(`/dashboard/api/cases?${listQuery()}`);
    renderList(answer.cases || []);
  }

  async function refresh() {
    if (!filters) return;
    try {
      await Promise.all([loadFigures(), loadList()]);
      if (chosenId) await openCase(chosenId);
      section.dataset.loaded = 'true';
    } catch (err) {
      caseStatus(`Could not load the cases: ${err.message}`, true);
    }
  }

  // ---- one case ------------------------------------------------------------------------------------------
  function facts(pairs) {
    const dl = el('dl');
    for (const [k, v] of pairs) dl.append(el('dt', {}, k), el('dd', {}, v === null || v === undefined || v === '' ? '–' : v));
    return dl;
  }

  function listOf(items, text, emptyText) {
    if (!items || items.length === 0) return el('p', { class: 'hint' }, emptyText);
    const ul = el('ul');
    for (const item of items) ul.append(el('li', {}, text(item)));
    return ul;
  }

  function actionForm(label, fields, submitText, build) {
    const form = el('form', { 'aria-label': label });
    for (const f of fields) form.append(f);
    form.append(el('button', { type: 'submit' }, submitText));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const [route, body] = build();
      try {
        await call(`/dashboard/api/cases/${encodeURIComponent(chosenId)}/${route}`, {
          method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
        });
        await refresh();
        caseStatus(`${label}: done`);
      } catch (err) {
        caseStatus(`${label}: ${err.message}`, true);
      }
    });
    return form;
  }

  function labelled(text, input) {
    const label = el('label', {}, text + ' ');
    label.append(input);
    return label;
  }

  function renderActions(c) {
    const box = el('div', { class: 'case-actions' });
    box.append(el('h3', {}, 'Actions'));
    const assignee = el('input', { type: 'text', maxlength: '128', name: 'assignee', value: c.assignee || '' });
    box.append(actionForm('Assign', [labelled('Assignee', assignee)], 'Assign',
      () => ['status', { status: c.status, assignee: assignee.value.trim() }]));
    const note = el('textarea', { maxlength: '4000', name: 'note', rows: '2' });
    box.append(actionForm('Add note', [labelled('Note', note)], 'Add note', () => ['notes', { text: note.value }]));
    if (c.status === 'open') {
      box.append(actionForm('Set in progress', [], 'Set in progress', () => ['status', { status: 'in_progress' }]));
    }
    const outcome = el('input', { type: 'text', maxlength: '200', name: 'outcome' });
    box.append(actionForm('Resolve', [labelled('Outcome', outcome)], 'Resolve',
      () => ['status', { status: 'resolved', outcome: outcome.value.trim() }]));
    return box;
  }

  function renderCase(c) {
    const view = $('#case-view');
    view.textContent = '';
    view.dataset.caseId = c.id;
    view.append(el('h3', {}, `Case at ${c.store}: ${statusText(c.status)}${c.overdue ? ' (overdue)' : ''}`));
    // A resolved case always had an outcome, and the audit says when one was set: an empty one now was erased
    // with the shopper's profile.
    const outcomeGiven = c.status === 'resolved'
      || (c.audit || []).some((a) => a.action === 'status' && /, outcome (set|changed)$/.test(a.detail));
    const outcome = c.outcome || (outcomeGiven ? '(erased with the shopper\'s profile)' : '');
    view.append(facts([['Rule', c.rule], ['Opened', when(c.openedAt)], ['Due', when(c.dueAt)],
      ['Assignee', c.assignee], ['Outcome', outcome], ['Resolved', when(c.resolvedAt)]]));

    const fb = c.feedback || {};
    view.append(el('h3', {}, 'Feedback'));
    view.append(facts([['Answered', when(fb.answeredAt)], ['NPS', c.nps], ['CSAT', c.csat],
      ['Reasons', (fb.reasons || []).join(', ')], ['Comment', fb.comment]]));

    view.append(el('h3', {}, 'Shopper'));
    const s = c.shopper;
    if (s) {
      view.append(facts([['Tier', s.tier || (s.member ? '' : 'not a member')], ['Points', s.points], ['Stage', s.stage],
        ['Channels', (s.channels || []).map((ch) => `${ch.channel} (last ${when(ch.lastSeen)})`).join(', ')]]));
      view.append(listOf(s.recentJourney, (p) => `${when(p.at)} ${p.channel}: ${p.event}${p.store ? ' at ' + p.store : ''}`,
        'No journey yet'));
    } else {
      view.append(el('p', { class: 'hint' }, 'The answer is not linked to a shopper.'));
    }

    view.append(el('h3', {}, 'Contact'));
    const k = c.contact;
    const contact = !k ? 'None given'
      : k.value === null ? `Erased (${k.erasedReason || 'erased'})`
        : `${k.kind}: ${k.value}${k.masked ? (mayChange ? ' (masked)' : ' (masked for your role)') : ''}`;
    view.append(el('p', { 'data-field': 'contact' }, contact));
    if (k && k.value !== null && k.masked && mayChange) {
      const show = el('button', { type: 'button', class: 'secondary', 'data-action': 'show-contact' }, 'Show contact');
      show.addEventListener('click', () => openCase(c.id, true));
      view.append(show);
    }

    view.append(el('h3', {}, 'Notes'));
    // A note is never empty when written: an empty one had its text erased with the shopper's profile.
    view.append(listOf(c.notes, (n) => `${when(n.at)} ${n.by}: ${n.text || '(text erased with the shopper\'s profile)'}`,
      'No notes yet'));
    view.append(el('h3', {}, 'Audit'));
    view.append(listOf(c.audit, (a) => `${when(a.at)} ${a.by}: ${a.action}${a.detail ? ' – ' + a.detail : ''}`, 'Nothing yet'));
    if (mayChange && c.status !== 'resolved') view.append(renderActions(c));
  }

  /// Loads and shows one case; `reveal` asks the hub for the contact in full (an audited view of its own).
  async function openCase(id, reveal) {
    chosenId = id;
    for (const tr of section.querySelectorAll('#case-list tbody tr')) tr.classList.toggle('chosen', tr.dataset.caseId === id);
    try {
      renderCase(await call(`/dashboard/api/cases/${encodeURIComponent(id)}${reveal ? '?reveal=contact' : ''}`));
    } catch (err) {
      caseStatus(`Could not open the case: ${err.message}`, true);
    }
  }

  // ---- wiring --------------------------------------------------------------------------------------------
  function fillStores(stores) {
    const select = $('#case-store');
    const keep = select.value;
    select.textContent = '';
    select.append(el('option', { value: '' }, 'All stores'));
    for (const store of stores) select.append(el('option', { value: store }, store));
    select.value = stores.includes(keep) ? keep : (filters.store || '');
  }

  $('#case-filters').addEventListener('submit', (event) => {
    event.preventDefault();
    loadList().catch((err) => caseStatus(`Could not load the cases: ${err.message}`, true));
  });
  // The tab's calls run only while it is open: a dashboard load in another tab (or a navigation away, which
  // aborts requests in flight) never waits on them.
  const tabOpen = () => window.location.hash === '#cases';
  window.addEventListener('hashchange', () => { if (tabOpen()) refresh(); });
  document.addEventListener('dashboard:loaded', (event) => {
    filters = event.detail.filters;
    fillStores(event.detail.stores);
    if (tabOpen()) refresh();
  });
})();
