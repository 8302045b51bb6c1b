// The Surveys & fleet tab's editor (fleet.js owns the tab and its lists): one revision's document as a table of
// texts per language, its steps with their options and branching, and the kiosk settings. Every change goes to
// the hub's check shortly after it is made, each error is shown at the field its path names, and publishing
// makes a new revision. Analysts get the document without editing controls. Every text from the hub goes in
// through textContent.
'use strict';
window.touchpointFleetEditor = (function () {
  const STEP_TYPES = ['nps', 'csat', 'ces', 'choice', 'comment'];
  const SCORE_RANGE = { nps: [0, 10], csat: [1, 5], ces: [1, 7] };
  const VALIDATE_DELAY_MS = 400;

  // What fleet.js gives: {section, view, meta: {viewer, languages, textKeys}, postJson(path, body) ->
  // {ok, status, body}, status(text, isError), published(record)}.
  let host = null;
  let opened = null;       // the revision being edited: {configVersion, name, revision, surveyVersion, ...}
  let draft = null;        // its document as edited
  let fields = new Map();  // error path -> the input that edits it
  let validateTimer = null;
  let validateSeq = 0;
  let lastValid = false;

  const { $, el, when } = window.touchpointPage;
  function mayEdit() { return Boolean(host.meta.viewer && host.meta.viewer.mayPublish); }
  function steps() { return (draft.survey && Array.isArray(draft.survey.steps)) ? draft.survey.steps : []; }
  function offered() {
    const s = draft.settings || {};
    return Array.isArray(s.languages) ? s.languages : Object.keys(draft.texts || {});
  }
  function textOf(lang, key) { return ((draft.texts || {})[lang] || {})[key]; }
  function setText(lang, key, value) {
    draft.texts = draft.texts || {};
    draft.texts[lang] = draft.texts[lang] || {};
    draft.texts[lang][key] = value;
  }

  /// Every key the survey uses, in order, with what it is for.
  function surveyKeys() {
    const out = [];
    const seen = new Set();
    const add = (key, use) => { if (key && !seen.has(key)) { seen.add(key); out.push([key, use]); } };
    add(draft.survey && draft.survey.titleKey, 'survey title');
    for (const st of steps()) {
      add(st.questionKey, `step "${st.id}", question`);
      for (const o of (st.options || [])) add(o.labelKey, `step "${st.id}", option "${o.id}"`);
    }
    return out;
  }

  /// A key renamed in the survey keeps its texts, unless another part of the survey still uses the old key.
  function renameKey(oldKey, newKey) {
    if (!oldKey || oldKey === newKey || surveyKeys().some(([k]) => k === oldKey)) return;
    for (const table of Object.values(draft.texts || {})) {
      if (table[oldKey] !== undefined && table[newKey] === undefined) table[newKey] = table[oldKey];
      delete table[oldKey];
    }
  }

  function field(path, input) {
    input.dataset.path = path;
    fields.set(path, input);
    if (!mayEdit()) input.disabled = true;
    return input;
  }
  function labelled(text, input) {
    const label = el('label', {}, text + ' ');
    label.append(input);
    return label;
  }
  function textInput(path, value, onInput, attrs) {
    const input = el('input', Object.assign({ type: 'text', value: value === undefined ? '' : value }, attrs || {}));
    input.addEventListener('input', () => { onInput(input.value); changed(false); });
    return field(path, input);
  }
  function structural(path, input, apply) {
    input.addEventListener('change', () => { apply(input); changed(true); });
    return field(path, input);
  }
  function numberInput(path, value, apply, step) {
    const input = el('input', { type: 'number', value: value === undefined ? '' : value, step: step || '1' });
    input.addEventListener('input', () => { apply(input.value === '' ? undefined : Number(input.value)); changed(false); });
    return field(path, input);
  }
  function checkbox(path, checked, apply) {
    const input = el('input', { type: 'checkbox' });
    input.checked = Boolean(checked);
    return structural(path, input, () => apply(input.checked));
  }
  function button(text, onClick, attrs) {
    const b = el('button', Object.assign({ type: 'button' }, attrs || {}), text);
    b.addEventListener('click', onClick);
    return b;
  }

  function renderTexts() {
    const box = el('div', { class: 'fleet-block' });
    box.append(el('h3', {}, 'Texts per language'));
    const langs = offered();
    const table = el('table', { id: 'fleet-texts', 'aria-label': 'Texts, one row per key, one column per language' });
    const head = table.createTHead().insertRow();
    head.append(el('th', { scope: 'col' }, 'Key'), el('th', { scope: 'col' }, 'Used for'));
    for (const lang of langs) head.append(el('th', { scope: 'col' }, lang));
    const body = table.createTBody();
    const rows = surveyKeys();
    const own = new Set(rows.map(([k]) => k));
    const overrides = new Set();
    for (const lang of langs) for (const key of Object.keys((draft.texts || {})[lang] || {})) if (!own.has(key)) overrides.add(key);
    for (const key of Array.from(overrides).sort()) rows.push([key, host.meta.textKeys.includes(key) ? 'kiosk screen' : 'not a known key']);
    for (const [key, use] of rows) {
      const tr = body.insertRow();
      tr.dataset.key = key;
      tr.insertCell().textContent = key;
      tr.insertCell().textContent = use;
      for (const lang of langs) {
        const td = tr.insertCell();
        td.dataset.lang = lang;
        if (!mayEdit()) {
          const t = textOf(lang, key);
          td.textContent = t === undefined ? '–' : t;
          fields.set(`texts.${lang}.${key}`, td);
          continue;
        }
        td.append(textInput(`texts.${lang}.${key}`, textOf(lang, key), (v) => setText(lang, key, v),
          { 'aria-label': `${key} in ${lang}`, maxlength: '1000' }));
      }
      if (mayEdit() && !own.has(key)) {
        tr.insertCell().append(button('Remove', () => {
          for (const table of Object.values(draft.texts || {})) delete table[key];
          changed(true);
        }, { 'aria-label': `Remove the texts of ${key}` }));
      }
    }
    box.append(el('div', { class: 'scroll' }));
    box.lastChild.append(table);
    if (mayEdit()) {
      const missing = host.meta.textKeys.filter((k) => !overrides.has(k));
      if (missing.length) {
        const select = el('select', { 'aria-label': 'A kiosk screen text to change' });
        for (const k of missing) select.append(el('option', { value: k }, k));
        const add = el('div', { class: 'fleet-inline' });
        add.append(labelled('Change a kiosk screen text', select), button('Add', () => {
          for (const lang of langs) if (textOf(lang, select.value) === undefined) setText(lang, select.value, '');
          changed(true);
        }));
        box.append(add);
      }
    }
    return box;
  }

  function renderStep(st, i) {
    const path = `survey.steps[${i}]`;
    const box = el('fieldset', { class: 'fleet-step', 'data-step': st.id || String(i) });
    box.append(el('legend', {}, `Step ${i + 1}: ${st.id || '(no id)'} (${st.type})`));
    const row = el('div', { class: 'fleet-inline' });
    row.append(labelled('Id', textInput(`${path}.id`, st.id, (v) => { st.id = v; }, { size: '12' })));
    const type = el('select', {});
    for (const t of STEP_TYPES) type.append(el('option', { value: t }, t));
    type.value = st.type;
    row.append(labelled('Type', structural(`${path}.type`, type, () => {
      st.type = type.value;
      if (st.type === 'choice') st.options = st.options || [];
      else { delete st.options; delete st.multi; }
    })));
    const question = el('input', { type: 'text', value: st.questionKey || '', size: '20' });
    row.append(labelled('Question key', structural(`${path}.questionKey`, question, () => {
      const old = st.questionKey;
      st.questionKey = question.value;
      renameKey(old, st.questionKey);
    })));
    row.append(labelled('Optional', checkbox(`${path}.optional`, st.optional, (v) => { st.optional = v; })));
    if (st.type === 'choice')
      row.append(labelled('Several answers', checkbox(`${path}.multi`, st.multi, (v) => { st.multi = v; })));
    box.append(row);

    if (st.type === 'choice') {
      const list = el('div', { class: 'fleet-options' });
      list.append(el('h4', {}, 'Options'));
      fields.set(`${path}.options`, list);
      (st.options || []).forEach((o, k) => {
        const line = el('div', { class: 'fleet-inline' });
        const optPath = `${path}.options[${k}]`;
        line.append(labelled('Id', textInput(`${optPath}.id`, o.id, (v) => { o.id = v; }, { size: '12' })));
        const label = el('input', { type: 'text', value: o.labelKey || '', size: '20' });
        line.append(labelled('Label key', structural(`${optPath}.labelKey`, label, () => {
          const old = o.labelKey;
          o.labelKey = label.value;
          renameKey(old, o.labelKey);
        })));
        if (mayEdit()) line.append(button('Remove option', () => {
          st.options.splice(k, 1);
          changed(true);
        }));
        list.append(line);
      });
      if (mayEdit()) list.append(button('Add option', () => {
        const n = (st.options || []).length + 1;
        st.options = st.options || [];
        st.options.push({ id: `option_${n}`, labelKey: `survey.opt.${st.id}_${n}` });
        changed(true);
      }));
      box.append(list);
    }

    // Branching: a step shown only when an earlier score was answered within a range.
    if (i > 0) {
      const branch = el('div', { class: 'fleet-inline' });
      const earlier = steps().slice(0, i).filter((s) => SCORE_RANGE[s.type]);
      const ref = el('select', {});
      ref.append(el('option', { value: '' }, 'always'));
      for (const s of earlier) ref.append(el('option', { value: s.id }, `when "${s.id}" is`));
      ref.value = st.when ? st.when.step : '';
      if (st.when && ref.value !== st.when.step) ref.append(el('option', { value: st.when.step, selected: true }, st.when.step));
      branch.append(labelled('Shown', structural(`${path}.when.step`, ref, () => {
        if (!ref.value) { delete st.when; return; }
        const range = SCORE_RANGE[(steps().find((s) => s.id === ref.value) || {}).type] || [0, 10];
        st.when = { step: ref.value, min: range[0], max: range[1] };
      })));
      if (st.when) {
        branch.append(labelled('from', numberInput(`${path}.when.min`, st.when.min, (v) => { st.when.min = v; })));
        branch.append(labelled('to', numberInput(`${path}.when.max`, st.when.max, (v) => { st.when.max = v; })));
        fields.set(`${path}.when`, branch);
      }
      box.append(branch);
    }
    if (mayEdit()) {
      const tools = el('div', { class: 'fleet-inline' });
      if (i > 0) tools.append(button('Move up', () => { const s = steps(); [s[i - 1], s[i]] = [s[i], s[i - 1]]; changed(true); }));
      tools.append(button('Remove step', () => { steps().splice(i, 1); changed(true); }));
      box.append(tools);
    }
    return box;
  }

  function renderSurvey() {
    const box = el('div', { class: 'fleet-block' });
    box.append(el('h3', {}, 'Survey steps and branching'));
    const s = draft.survey || {};
    const head = el('div', { class: 'fleet-inline' });
    head.append(labelled('Survey id', textInput('survey.id', s.id, (v) => { s.id = v; }, { size: '16' })));
    const title = el('input', { type: 'text', value: s.titleKey || '', size: '24' });
    head.append(labelled('Title key', structural('survey.titleKey', title, () => {
      const old = s.titleKey;
      s.titleKey = title.value;
      renameKey(old, s.titleKey);
    })));
    box.append(head);
    fields.set('survey.steps', box);
    steps().forEach((st, i) => box.append(renderStep(st, i)));
    if (mayEdit()) box.append(button('Add step', () => {
      const n = steps().length + 1;
      s.steps = steps();
      s.steps.push({ id: `step_${n}`, type: 'comment', questionKey: `survey.q.step_${n}`, optional: true });
      changed(true);
    }));
    return box;
  }

  function renderSettings() {
    const box = el('div', { class: 'fleet-block' });
    box.append(el('h3', {}, 'Kiosk settings'));
    draft.settings = draft.settings || {};
    const st = draft.settings;
    const langs = el('fieldset', { class: 'fleet-inline' });
    langs.append(el('legend', {}, 'Languages offered'));
    fields.set('settings.languages', langs);
    if (!mayEdit()) langs.disabled = true;
    for (const lang of host.meta.languages) {
      const box2 = el('input', { type: 'checkbox', value: lang, 'aria-label': `Offer ${lang}` });
      box2.checked = offered().includes(lang);
      structural(`settings.languages.${lang}`, box2, () => {
        const list = offered().filter((l) => l !== lang);
        if (box2.checked) list.push(lang);
        st.languages = host.meta.languages.filter((l) => list.includes(l));
        if (box2.checked) for (const [key] of surveyKeys()) if (textOf(lang, key) === undefined) setText(lang, key, '');
        if (!box2.checked && draft.texts) delete draft.texts[lang];
      });
      langs.append(labelled(lang, box2));
    }
    box.append(langs);
    const row = el('div', { class: 'fleet-inline' });
    const def = el('select', {});
    for (const lang of offered()) def.append(el('option', { value: lang }, lang));
    def.value = st.defaultLanguage || '';
    row.append(labelled('Default language', structural('settings.defaultLanguage', def, () => { st.defaultLanguage = def.value; })));
    row.append(labelled('Idle after (s)', numberInput('settings.inactivityS', st.inactivityS, (v) => { st.inactivityS = v; })));
    row.append(labelled('"Still there?" for (s)', numberInput('settings.stillThereS', st.stillThereS, (v) => { st.stillThereS = v; })));
    row.append(labelled('Accessibility time factor', numberInput('settings.accessibilityTimeoutFactor',
      st.accessibilityTimeoutFactor, (v) => { st.accessibilityTimeoutFactor = v; }, '0.5')));
    row.append(labelled('High contrast', checkbox('settings.highContrastDefault', st.highContrastDefault, (v) => { st.highContrastDefault = v; })));
    row.append(labelled('Large text', checkbox('settings.largeTextDefault', st.largeTextDefault, (v) => { st.largeTextDefault = v; })));
    box.append(row);
    // Opening hours as the document writes them; a line that is not JSON is an error of its own.
    const hours = el('textarea', { rows: '3', 'aria-label': 'Opening hours (JSON)', class: 'fleet-json' });
    hours.value = st.openingHours ? JSON.stringify(st.openingHours) : '';
    hours.addEventListener('input', () => {
      hours.dataset.unparsed = '';
      if (hours.value.trim() === '') delete st.openingHours;
      else {
        try { st.openingHours = JSON.parse(hours.value); } catch (_) { hours.dataset.unparsed = 'true'; }
      }
      changed(false);
    });
    box.append(labelled('Opening hours (JSON; empty = always open)', field('settings.openingHours', hours)));
    box.append(renderFeedback(st));
    return box;
  }

  /// settings.feedback: absent leaves each kiosk its kiosk.toml [feedback]; the hub refuses thresholds above its
  /// own [cases] unhappy ones, and the validate route says so as the numbers are typed.
  function renderFeedback(st) {
    const set = el('fieldset', { class: 'fleet-inline' });
    set.append(el('legend', {}, '"May we contact you about this?" after a low score'));
    const own = el('input', { type: 'checkbox', 'aria-label': 'Head office sets the contact question' });
    own.checked = Boolean(st.feedback);
    set.append(labelled('Set by head office (off: each kiosk\'s kiosk.toml)', structural('settings.feedback', own, () => {
      if (own.checked) st.feedback = { contactQuestion: true, contactNpsMax: 6, contactCsatMax: 2 };
      else delete st.feedback;
    })));
    const fb = st.feedback;
    if (fb) {
      set.append(labelled('Ask', checkbox('settings.feedback.contactQuestion', fb.contactQuestion, (v) => { fb.contactQuestion = v; })));
      set.append(labelled('NPS at most (-1 = never)', numberInput('settings.feedback.contactNpsMax', fb.contactNpsMax, (v) => { fb.contactNpsMax = v; })));
      set.append(labelled('CSAT at most (0 = never)', numberInput('settings.feedback.contactCsatMax', fb.contactCsatMax, (v) => { fb.contactCsatMax = v; })));
    }
    return set;
  }

  function renderPublish() {
    const form = el('form', { id: 'fleet-publish', class: 'fleet-inline', 'aria-label': 'Publish' });
    const scope = el('input', { type: 'text', name: 'scope', size: '18', placeholder: 'all, store:S, region:R, kiosk:S/K' });
    const starts = el('input', { type: 'datetime-local', name: 'startsAt' });
    form.append(labelled('Assign to (optional)', scope), labelled('from (UTC; empty = now)', starts),
      el('button', { type: 'submit', id: 'fleet-publish-button' }, `Publish as revision ${opened.revision + 1}`));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const body = { name: opened.name, document: draft };
      if (scope.value.trim()) {
        body.assign = { scope: scope.value.trim() };
        if (starts.value) body.assign.startsAt = `${starts.value}:00Z`;
      }
      try {
        const r = await host.postJson('/dashboard/api/fleet/documents', body);
        if (r.status === 422) {
          showErrors((r.body && r.body.errors) || []);
          host.status('Not published: the document has errors', true);
          return;
        }
        if (!r.ok) throw new Error((r.body && r.body.error) || `HTTP ${r.status}`);
        await host.published(r.body);
      } catch (err) {
        host.status(`Publish: ${err.message}`, true);
      }
    });
    return form;
  }

  function renderEditor() {
    const view = host.view;
    view.textContent = '';
    fields = new Map();
    if (!opened) return;
    view.dataset.configVersion = String(opened.configVersion);
    view.append(el('h3', {}, `${opened.name}, revision ${opened.revision} (config version ${opened.configVersion}), ` +
      `survey ${opened.surveyId} version ${opened.surveyVersion}`));
    view.append(el('p', { class: 'hint' }, `Published by ${opened.createdBy} at ${when(opened.createdAt)} UTC.` +
      (mayEdit() ? ' Changes are checked as you type; publishing makes a new revision, a changed question a new survey version.'
        : ' Your role reads only.')));
    view.append(el('ul', { id: 'fleet-errors', class: 'fleet-errors', 'aria-live': 'polite' }));
    if (mayEdit()) view.append(renderPublish());
    view.append(renderTexts(), renderSurvey(), renderSettings());
  }

  /// Something in the draft changed: re-render after a structural change, then validate shortly.
  function changed(rerender) {
    if (rerender) {
      const scroll = host.view.scrollTop;
      renderEditor();
      host.view.scrollTop = scroll;
    }
    lastValid = false;
    updatePublishButton();
    clearTimeout(validateTimer);
    validateTimer = setTimeout(validate, VALIDATE_DELAY_MS);
  }

  async function validate() {
    const seq = ++validateSeq;
    const unparsed = host.section.querySelector('textarea[data-unparsed="true"]');
    try {
      const r = await host.postJson('/dashboard/api/fleet/validate', { name: opened.name, document: draft });
      if (seq !== validateSeq) return;  // a later edit's answer is coming
      if (!r.ok) throw new Error((r.body && r.body.error) || `HTTP ${r.status}`);
      const errors = r.body.errors || [];
      if (unparsed) errors.push({ path: 'settings.openingHours', message: 'is not JSON' });
      lastValid = errors.length === 0;
      showErrors(errors);
      updatePublishButton();
      host.section.dataset.validated = String(seq);
    } catch (err) {
      host.status(`Could not check the document: ${err.message}`, true);
    }
  }

  /// The field an error's path names, else the nearest field above it ("settings.languages[1]" -> the
  /// languages); a missing text names its key in the message.
  function fieldFor(error) {
    const missing = /^texts\.([^.]+)$/.exec(error.path);
    const key = /^no text for "([^"]+)"/.exec(error.message);
    if (missing && key && fields.has(`texts.${missing[1]}.${key[1]}`)) return fields.get(`texts.${missing[1]}.${key[1]}`);
    let path = error.path;
    while (path) {
      if (fields.has(path)) return fields.get(path);
      const cut = Math.max(path.lastIndexOf('.'), path.lastIndexOf('['));
      path = cut > 0 ? path.slice(0, cut) : '';
    }
    return null;
  }

  function showErrors(errors) {
    for (const old of host.section.querySelectorAll('.field-error')) old.remove();
    for (const input of host.section.querySelectorAll('[aria-invalid="true"]')) input.removeAttribute('aria-invalid');
    const list = $('#fleet-errors');
    if (!list) return;
    list.textContent = '';
    host.section.dataset.errors = String(errors.length);
    for (const e of errors) {
      list.append(el('li', { 'data-path': e.path }, `${e.path}: ${e.message}`));
      const input = fieldFor(e);
      if (!input) continue;
      input.setAttribute('aria-invalid', 'true');
      const note = el('span', { class: 'field-error', role: 'alert', 'data-path': e.path }, e.message);
      input.after(note);
    }
  }

  function updatePublishButton() {
    const b = $('#fleet-publish-button');
    if (b) b.disabled = !lastValid;
  }

  /// Opens `revision` (a /dashboard/api/fleet/documents/{id} answer) in `h.view`.
  function open(h, revision) {
    clearTimeout(validateTimer);
    validateSeq++;  // an answer still on its way was about the previous draft
    host = h;
    opened = revision;
    draft = JSON.parse(JSON.stringify(revision.document));
    renderEditor();
    showErrors([]);
    lastValid = true;
    updatePublishButton();
  }

  return { open };
})();
