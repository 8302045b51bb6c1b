// The dashboard's Identity tab: every merge of two profiles (which message and source joined them, and whether
// it was undone) and the ties the journey rules refused (with the kind of identifier only, never its value).
// Admins may undo a merge; the hub refuses it to everyone else whatever this page shows.
'use strict';
(function () {
  const section = document.getElementById('tab-identity');
  if (!section) return;
  let mayUndo = false;

  const { $, el, when, say, call } = window.touchpointPage;

  function fill(table, rows, empty, cells) {
    const body = $('tbody', table);
    body.textContent = '';
    if (rows.length === 0) {
      const tr = el('tr');
      tr.append(el('td', { colspan: String($('thead tr', table).children.length), class: 'empty' }, empty));
      body.append(tr);
      return;
    }
    for (const row of rows) body.append(cells(row));
  }

  async function undo(merge, button) {
    if (!window.confirm(`Separate profile ${merge.merged} from ${merge.survivor} again?`)) return;
    button.disabled = true;
    try {
      await call(`/dashboard/api/merges/${encodeURIComponent(merge.seq)}/undo`, { method: 'POST' });
      say(`Merge ${merge.seq} undone: the two profiles are apart again.`);
      await refresh();
    } catch (err) {
      button.disabled = false;
      say(`Could not undo merge ${merge.seq}: ${err.message}`, true);
    }
  }

  function mergeRow(m) {
    const tr = el('tr', { 'data-seq': String(m.seq) });
    tr.append(el('td', {}, when(m.at)), el('td', {}, m.survivor), el('td', {}, m.merged), el('td', {}, m.source),
              el('td', {}, m.messageId));
    const state = el('td', { 'data-field': 'state' },
                     m.undoneAt ? `Undone ${when(m.undoneAt)} by ${m.undoneBy}` : 'In effect');
    tr.append(state);
    const action = el('td');
    if (mayUndo && !m.undoneAt) {
      const b = el('button', { type: 'button', class: 'secondary', 'data-action': 'undo' }, 'Undo');
      b.addEventListener('click', () => undo(m, b));
      action.append(b);
    }
    tr.append(action);
    return tr;
  }

  function conflictRow(c) {
    const tr = el('tr', { 'data-seq': String(c.seq) });
    tr.append(el('td', {}, when(c.at)), el('td', {}, c.identifierKind), el('td', {}, c.reason),
              el('td', {}, c.profileId || '–'), el('td', {}, c.heldBy || '–'), el('td', {}, c.source),
              el('td', {}, c.messageId));
    return tr;
  }

  async function refresh() {
    try {
      const [merges, conflicts] = await Promise.all([call('/dashboard/api/merges'),
                                                     call('/dashboard/api/identity/conflicts')]);
      mayUndo = Boolean(merges.viewer && merges.viewer.mayUndo);
      fill($('#identity-merges'), merges.merges, 'No profiles were merged.', mergeRow);
      fill($('#identity-conflicts'), conflicts.conflicts, 'No tie was refused.', conflictRow);
      $('#identity-role-note').textContent = mayUndo
        ? 'As an admin you may undo a merge: the two profiles get their own identifiers, points and history back.'
        : 'Only an admin may undo a merge.';
      section.dataset.loaded = 'true';
    } catch (err) {
      say(`Could not load merges and refused ties: ${err.message}`, true);
    }
  }

  // The tab's calls run only while it is open.
  const tabOpen = () => window.location.hash === '#identity';
  $('#identity-refresh').addEventListener('click', () => refresh());
  window.addEventListener('hashchange', () => { if (tabOpen()) refresh(); });
  document.addEventListener('dashboard:loaded', () => { if (tabOpen()) refresh(); });
})();
