// The dashboard's "Surveys & fleet" tab: the published documents (one opens in the editor, fleet_editor.js),
// the assignments with their schedule and rollback, and which kiosk runs which version, which are behind and
// which refused a document and why. Managers and admins get the controls that change things; analysts read,
// and the hub refuses their changes whatever this page shows. Every text from the hub goes in through
// textContent.
'use strict';
(function () {
  const section = document.getElementById('tab-surveys');
  if (!section) return;

  let meta = { viewer: { role: '', mayPublish: false }, languages: [], textKeys: [] };
  let documents = [];
  let openedVersion = null;  // the revision open in the editor (fleet_editor.js)

  const { $, el, when, request, call } = window.touchpointPage;
  function button(text, onClick, attrs) {
    const b = el('button', Object.assign({ type: 'button' }, attrs || {}), text);
    b.addEventListener('click', onClick);
    return b;
  }
  const fleetStatus = window.touchpointPage.say;
  function mayEdit() { return Boolean(meta.viewer && meta.viewer.mayPublish); }

  function postJson(path, body) {
    return request(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  }

  // ---- documents -----------------------------------------------------------------------------------------
  function docLabel(configVersion) {
    const d = documents.find((x) => x.configVersion === configVersion);
    return d ? `${d.name} rev ${d.revision} (v${configVersion})` : `v${configVersion}`;
  }

  function renderDocuments() {
    const body = $('#fleet-documents tbody');
    body.textContent = '';
    for (const d of documents) {
      const tr = body.insertRow();
      tr.dataset.configVersion = String(d.configVersion);
      tr.tabIndex = 0;
      tr.setAttribute('aria-label', `Open ${d.name} revision ${d.revision}`);
      if (openedVersion === d.configVersion) tr.classList.add('chosen');
      for (const cell of [d.name, d.revision, d.configVersion, `${d.surveyId} v${d.surveyVersion}`, d.createdBy,
        when(d.createdAt)]) tr.insertCell().textContent = cell;
      tr.addEventListener('click', () => openDocument(d.configVersion));
      tr.addEventListener('keydown', (event) => {
        if (event.key === 'Enter' || event.key === ' ') { event.preventDefault(); openDocument(d.configVersion); }
      });
    }
    if (documents.length === 0) {
      const td = body.insertRow().insertCell();
      td.colSpan = 6;
      td.className = 'empty';
      td.textContent = 'Nothing published yet (touchpoint-hub publish puts a first document here)';
    }
    const select = $('#fleet-assign-version');
    if (select) {
      const keep = select.value;
      select.textContent = '';
      for (const d of documents) select.append(el('option', { value: d.configVersion }, docLabel(d.configVersion)));
      if (keep) select.value = keep;
    }
  }

  async function loadDocuments() {
    const answer = await call('/dashboard/api/fleet/documents');
    meta = { viewer: answer.viewer || {}, languages: answer.languages || [], textKeys: answer.textKeys || [] };
    section.dataset.role = meta.viewer.role || '';
    documents = answer.documents || [];
    $('#fleet-assign').hidden = !mayEdit();
    renderDocuments();
  }

  async function openDocument(configVersion) {
    try {
      const answer = await call(`/dashboard/api/fleet/documents/${encodeURIComponent(configVersion)}`);
      openedVersion = answer.configVersion;
      for (const tr of section.querySelectorAll('#fleet-documents tbody tr'))
        tr.classList.toggle('chosen', tr.dataset.configVersion === String(configVersion));
      window.touchpointFleetEditor.open({
        section, view: $('#fleet-editor'), meta, postJson, status: fleetStatus,
        published: async (record) => {
          await refresh();
          await openDocument(record.configVersion);
          fleetStatus(`Published ${record.name} revision ${record.revision} (survey version ${record.surveyVersion})`);
        },
      }, answer);
    } catch (err) {
      fleetStatus(`Could not open the document: ${err.message}`, true);
    }
  }

  // ---- assignments ---------------------------------------------------------------------------------------
  function assignmentStates(assignments, nowIso) {
    // Within one scope the latest start that has come wins, ties to the later assignment (as the hub picks).
    const current = new Map();
    for (const a of assignments) {
      if (a.startsAt > nowIso) continue;
      const best = current.get(a.scope);
      if (!best || a.startsAt > best.startsAt || (a.startsAt === best.startsAt && a.seq > best.seq)) current.set(a.scope, a);
    }
    return (a) => (a.startsAt > nowIso ? 'scheduled' : current.get(a.scope) === a ? 'in effect' : 'replaced');
  }

  function renderAssignments(answer) {
    const body = $('#fleet-assignments tbody');
    body.textContent = '';
    const list = (answer.assignments || []).slice().sort((x, y) => y.seq - x.seq);
    const state = assignmentStates(list, answer.serverTime || '');
    for (const a of list) {
      const tr = body.insertRow();
      tr.dataset.seq = String(a.seq);
      tr.dataset.scope = a.scope;
      tr.dataset.configVersion = String(a.configVersion);
      const s = state(a);
      tr.dataset.state = s;
      for (const cell of [a.scope, docLabel(a.configVersion), `${when(a.startsAt)} UTC`, s, a.createdBy, when(a.createdAt)])
        tr.insertCell().textContent = cell;
      const td = tr.insertCell();
      if (mayEdit() && s === 'replaced') {
        td.append(button('Roll back to this version', () => assign(a.configVersion, a.scope, ''),
          { 'aria-label': `Roll back ${a.scope} to ${docLabel(a.configVersion)}` }));
      }
    }
    if (list.length === 0) {
      const td = body.insertRow().insertCell();
      td.colSpan = 7;
      td.className = 'empty';
      td.textContent = 'No assignments: kiosks run their built-in survey';
    }
  }

  async function assign(configVersion, scope, startsAt) {
    const body = { configVersion: Number(configVersion), scope };
    if (startsAt) body.startsAt = startsAt;
    try {
      const r = await postJson('/dashboard/api/fleet/assignments', body);
      if (!r.ok) throw new Error((r.body && r.body.error) || `HTTP ${r.status}`);
      await refresh();
      fleetStatus(`Assigned ${docLabel(r.body.configVersion)} to ${r.body.scope} from ${when(r.body.startsAt)} UTC`);
    } catch (err) {
      fleetStatus(`Assign: ${err.message}`, true);
    }
  }

  // ---- kiosks --------------------------------------------------------------------------------------------
  function renderKiosks(answer) {
    const kiosks = answer.kiosks || [];
    const body = $('#fleet-kiosks tbody');
    body.textContent = '';
    let behind = 0, refused = 0;
    for (const k of kiosks) {
      const tr = body.insertRow();
      tr.dataset.kiosk = `${k.store}/${k.kiosk}`;
      // A kiosk that refused a document keeps running its last good one (the version it reports).
      let state = 'up to date';
      if (k.configRefusal) {
        state = `refused: ${k.configRefusal}`;
        tr.classList.add('failing');
        refused++;
      } else if (k.configBehind) {
        state = 'behind';
        tr.classList.add('stale');
        behind++;
      } else if (k.expectedConfigVersion === null) {
        state = 'nothing assigned';
      }
      tr.dataset.state = k.configRefusal ? 'refused' : k.configBehind ? 'behind' : 'current';
      for (const cell of [k.store, k.kiosk, when(k.lastSeen), k.appVersion || '–',
        k.configVersion === null ? 'built-in' : docLabel(k.configVersion),
        k.expectedConfigVersion === null ? '–' : docLabel(k.expectedConfigVersion), state]) tr.insertCell().textContent = cell;
    }
    if (kiosks.length === 0) {
      const td = body.insertRow().insertCell();
      td.colSpan = 7;
      td.className = 'empty';
      td.textContent = 'No kiosk has reported yet';
    }
    $('#fleet-config-summary').textContent = `${kiosks.length} kiosk${kiosks.length === 1 ? '' : 's'}: ${kiosks.length - behind - refused} current, ` +
      `${behind} behind, ${refused} refused a document (each keeps its last good one)`;
  }

  // ---- wiring --------------------------------------------------------------------------------------------
  async function refresh() {
    try {
      await loadDocuments();
      const [assignments, kiosks] = await Promise.all([call('/dashboard/api/fleet/assignments'),
        call('/dashboard/api/fleet/kiosks')]);
      renderAssignments(assignments);
      renderKiosks(kiosks);
      renderDocuments();
      section.dataset.loaded = 'true';
    } catch (err) {
      fleetStatus(`Could not load surveys and fleet: ${err.message}`, true);
    }
  }

  $('#fleet-assign').addEventListener('submit', (event) => {
    event.preventDefault();
    const starts = $('#fleet-assign-starts').value;
    assign($('#fleet-assign-version').value, $('#fleet-assign-scope').value.trim(), starts ? `${starts}:00Z` : '');
  });
  $('#fleet-refresh').addEventListener('click', () => refresh());
  // Loaded when the tab is opened (and on each dashboard load while it is open), never in the background of
  // the other tabs.
  const tabOpen = () => window.location.hash === '#surveys';
  window.addEventListener('hashchange', () => { if (tabOpen()) refresh(); });
  document.addEventListener('dashboard:loaded', () => { if (tabOpen()) refresh(); });
})();
