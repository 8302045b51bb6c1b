// What every dashboard tab script shares (loaded before them): building elements (text only ever through
// textContent), the hub calls with the session's cookie (a lost session goes back to the sign-in page), times
// as the page shows them, and the status line.
'use strict';
window.touchpointPage = (function () {
  function $(sel, root) { return (root || document).querySelector(sel); }
  /// An element with attributes (false, null and undefined left out; true as a bare attribute) and text.
  function el(tag, attrs, text) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === false || v === null || v === undefined) continue;
      e.setAttribute(k, v === true ? '' : String(v));
    }
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  /// "2026-12-04 21:35" from an ISO time; a dash for none.
  function when(iso) { return iso ? iso.slice(0, 16).replace('T', ' ') : '–'; }
  function say(text, isError) {
    const status = $('#status');
    status.textContent = text;
    status.classList.toggle('error', Boolean(isError));
  }
  /// fetch with the session: {ok, status, body} (body null when not JSON).
  async function request(path, options) {
    let response;
    try {
      response = await fetch(path, Object.assign({ credentials: 'same-origin' }, options || {}));
    } catch (err) {
      throw new Error('The hub did not answer. Check the connection and try again.');
    }
    if (response.status === 401) {
      window.location.assign('/dashboard/signin?error=expired');
      throw new Error('Signed out');
    }
    let body = null;
    try { body = await response.json(); } catch (_) { /* not JSON */ }
    return { ok: response.ok, status: response.status, body };
  }
  /// The answer's JSON; an error with the hub's reason for any other status.
  async function call(path, options) {
    const r = await request(path, options);
    if (!r.ok) throw new Error((r.body && r.body.error) || `HTTP ${r.status}`);
    return r.body;
  }
  return { $, el, when, say, request, call };
})();
