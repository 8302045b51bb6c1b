// The head-office dashboard: reads one JSON document from the hub (/dashboard/api/data) for the chosen dates
// and store, and draws it. Tables come from the server already formatted, so each "Download CSV" link returns
// exactly the rows on screen; charts and tiles read the raw /v1/stats figures that came with them.
'use strict';
(function () {
  const STAGES = ['awareness', 'consideration', 'purchase', 'retention', 'advocacy'];
  const COLORS = ['#1f6feb', '#d9480f', '#2f9e44', '#9c36b5', '#e67700', '#0b7285', '#c2255c', '#5c940d'];
  const charts = {};
  let lastData = null;

  function $(sel, root) { return (root || document).querySelector(sel); }
  function $all(sel, root) { return Array.from((root || document).querySelectorAll(sel)); }

  function isoDay(date) { return date.toISOString().slice(0, 10); }
  function defaultRange() {
    const to = new Date();
    const from = new Date(to.getTime() - 27 * 86400000);
    return { from: isoDay(from), to: isoDay(to) };
  }

  function readFilters() {
    const params = new URLSearchParams(window.location.search);
    const range = defaultRange();
    return {
      from: params.get('from') || range.from,
      to: params.get('to') || range.to,
      store: params.get('store') || '',
      survey: params.get('survey') || '',
      surveyVersion: params.get('surveyVersion') || '',
    };
  }

  function query(filters) {
    const q = new URLSearchParams({ from: filters.from, to: filters.to });
    if (filters.store) q.set('store', filters.store);
    if (filters.survey) q.set('survey', filters.survey);
    if (filters.survey && filters.surveyVersion !== '') q.set('surveyVersion', filters.surveyVersion);
    return q.toString();
  }

  // The survey selector's value: "" (every answer), "<survey>" (all its versions) or "<survey>|<version>".
  function surveyChoice(filters) {
    if (!filters.survey) return '';
    return filters.surveyVersion !== '' ? `${filters.survey}|${filters.surveyVersion}` : filters.survey;
  }

  function fileSuffix(filters) {
    let suffix = filters.store ? `_${filters.store}` : '';
    if (filters.survey) suffix += `_${filters.survey}`;
    if (filters.survey && filters.surveyVersion !== '') suffix += `-v${filters.surveyVersion}`;
    return suffix;
  }

  function fmt(value, digits) {
    if (value === null || value === undefined || Number.isNaN(value)) return '–';
    return Number(value).toFixed(digits);
  }

  function setStatus(text, isError) {
    const el = $('#status');
    el.textContent = text;
    el.classList.toggle('error', Boolean(isError));
  }

  // ---- tiles ---------------------------------------------------------------------------------------------
  function renderTiles(overall) {
    const nps = overall.nps || {}, csat = overall.csat || {}, ces = overall.ces || {};
    const tiles = {
      nps: [fmt(nps.score, 1), nps.ci95, nps.responses, 1],
      csat: [fmt(csat.score, 1) + '%', csat.ci95, csat.responses, 1],
      ces: [fmt(ces.mean, 2), ces.ci95, ces.responses, 2],
    };
    for (const [metric, [value, ci, n, digits]] of Object.entries(tiles)) {
      const tile = $(`.tile[data-metric="${metric}"]`);
      $('.value', tile).textContent = n ? value : '–';
      $('.ci', tile).textContent = n && ci ? `95% CI ${fmt(ci[0], digits)} to ${fmt(ci[1], digits)}` : 'no responses';
      $('.n', tile).textContent = `${n || 0} responses`;
    }
    const signins = $('.tile[data-metric="signins"]');
    $('.value', signins).textContent = String(overall.signins || 0);
    $('.n', signins).textContent = `${overall.feedbackAbandoned || 0} surveys abandoned`;
    const members = $('.tile[data-metric="newMembers"]');
    $('.value', members).textContent = String(overall.newMembers || 0);
    $('.n', members).textContent = `${overall.misuse || 0} repeat presses flagged`;
  }

  // ---- charts --------------------------------------------------------------------------------------------
  function replaceChart(id, config) {
    if (charts[id]) charts[id].destroy();
    const canvas = document.getElementById(id);
    config.options = Object.assign({ responsive: true, maintainAspectRatio: false, animation: false }, config.options);
    charts[id] = new window.Chart(canvas, config);
  }

  // A line with its 95% interval drawn as a shaded band between two invisible lines.
  function intervalChart(id, days, points, label, color, yOptions) {
    const value = points.map((p) => (p && p.responses ? p.value : null));
    const low = points.map((p) => (p && p.responses && p.ci ? p.ci[0] : null));
    const high = points.map((p) => (p && p.responses && p.ci ? p.ci[1] : null));
    replaceChart(id, {
      type: 'line',
      data: {
        labels: days,
        datasets: [
          { label: '95% low', data: low, borderWidth: 0, pointRadius: 0, fill: false, spanGaps: true },
          { label: '95% interval', data: high, borderWidth: 0, pointRadius: 0, fill: '-1',
            backgroundColor: color + '33', spanGaps: true },
          { label, data: value, borderColor: color, backgroundColor: color, pointRadius: 2, spanGaps: true },
        ],
      },
      options: {
        plugins: {
          legend: { display: false },
          tooltip: {
            callbacks: {
              afterBody: (items) => {
                const p = points[items[0].dataIndex];
                return p ? `responses: ${p.responses}` : '';
              },
            },
          },
        },
        scales: { y: yOptions, x: { ticks: { maxTicksLimit: 8 } } },
      },
    });
  }

  function renderOverviewCharts(data) {
    const days = data.daily.map((d) => d.day);
    const pick = (metric, key) => data.daily.map((d) => {
      const m = d[metric] || {};
      return { value: m[key], ci: m.ci95, responses: m.responses || 0 };
    });
    intervalChart('chart-nps', days, pick('nps', 'score'), 'NPS', COLORS[0], { min: -100, max: 100 });
    intervalChart('chart-csat', days, pick('csat', 'score'), 'CSAT %', COLORS[2], { min: 0, max: 100 });
    intervalChart('chart-ces', days, pick('ces', 'mean'), 'CES', COLORS[3], { min: 1, max: 7 });

    const stores = data.stats.byStore || [];
    replaceChart('chart-store-nps', {
      type: 'bar',
      data: {
        labels: stores.map((s) => s.store),
        datasets: [
          { type: 'line', label: 'NPS', data: stores.map((s) => (s.nps && s.nps.responses ? s.nps.score : null)),
            showLine: false, pointRadius: 5, pointStyle: 'rectRot', borderColor: COLORS[1], backgroundColor: COLORS[1] },
          { label: '95% interval', data: stores.map((s) => (s.nps && s.nps.responses ? s.nps.ci95 : null)),
            backgroundColor: COLORS[0] + '55', borderColor: COLORS[0], borderWidth: 1, barPercentage: 0.3 },
        ],
      },
      options: {
        plugins: { legend: { position: 'bottom' } },
        scales: { y: { min: -100, max: 100 } },
      },
    });

    const byDay = data.stats.byDay || [];
    const storeIds = Array.from(new Set(byDay.map((r) => r.store).filter(Boolean))).sort();
    const allDays = data.daily.map((d) => d.day);
    replaceChart('chart-store-trend', {
      type: 'line',
      data: {
        labels: allDays,
        datasets: storeIds.map((store, i) => {
          const rows = new Map(byDay.filter((r) => r.store === store).map((r) => [r.day, r]));
          return {
            label: store,
            data: allDays.map((day) => {
              const r = rows.get(day);
              return r && r.nps && r.nps.responses ? r.nps.score : null;
            }),
            borderColor: COLORS[i % COLORS.length], backgroundColor: COLORS[i % COLORS.length],
            pointRadius: 1.5, borderWidth: 1.5, spanGaps: true,
          };
        }),
      },
      options: {
        plugins: { legend: { position: 'bottom', labels: { boxWidth: 12 } } },
        scales: { y: { min: -100, max: 100 }, x: { ticks: { maxTicksLimit: 8 } } },
      },
    });
  }

  function renderSigninChart(data) {
    replaceChart('chart-signins', {
      type: 'bar',
      data: {
        labels: data.daily.map((d) => d.day),
        datasets: [
          { label: 'Sign-ins', data: data.daily.map((d) => d.signins || 0), backgroundColor: COLORS[0] },
          { label: 'New members', data: data.daily.map((d) => d.newMembers || 0), backgroundColor: COLORS[2] },
        ],
      },
      options: { plugins: { legend: { position: 'bottom' } }, scales: { y: { beginAtZero: true } } },
    });
  }

  function renderJourneyCharts(data) {
    const stages = data.stats.stages || {};
    replaceChart('chart-stages', {
      type: 'bar',
      data: {
        labels: STAGES,
        datasets: [{ label: 'Profiles', data: STAGES.map((s) => stages[s] || 0), backgroundColor: COLORS[0] }],
      },
      options: { indexAxis: 'y', plugins: { legend: { display: false } }, scales: { x: { beginAtZero: true } } },
    });
    const moves = (data.stats.stageTransitions || []).filter((t) => t.channel === 'in_store_kiosk');
    replaceChart('chart-transitions', {
      type: 'bar',
      data: {
        labels: moves.map((t) => `${t.from || '(new)'} → ${t.to}`),
        datasets: [{ label: 'Profiles moved', data: moves.map((t) => t.count), backgroundColor: COLORS[1] }],
      },
      options: { indexAxis: 'y', plugins: { legend: { display: false } }, scales: { x: { beginAtZero: true } } },
    });
  }

  function renderReasonsChart(data) {
    const reasons = (data.stats.reasons || []).slice(0, 12);
    replaceChart('chart-reasons', {
      type: 'bar',
      data: {
        labels: reasons.map((r) => r.reason),
        datasets: [{ label: 'Answers', data: reasons.map((r) => r.count), backgroundColor: COLORS[4] }],
      },
      options: { indexAxis: 'y', plugins: { legend: { display: false } }, scales: { x: { beginAtZero: true } } },
    });
  }

  // ---- tables (server-formatted; the CSV link returns the same rows) --------------------------------------
  function renderTable(block, name, table, filters) {
    block.textContent = '';
    const head = document.createElement('div');
    head.className = 'table-head';
    const title = document.createElement('h3');
    title.textContent = table.title;
    const link = document.createElement('a');
    link.className = 'csv';
    link.href = `/dashboard/csv/${name}?${query(filters)}`;
    link.setAttribute('download', `${name}_${filters.from}_${filters.to}${fileSuffix(filters)}.csv`);
    link.textContent = 'Download CSV';
    head.append(title, link);
    block.append(head);
    const scroller = document.createElement('div');
    scroller.className = 'scroll';
    const tbl = document.createElement('table');
    tbl.dataset.table = name;
    const thead = tbl.createTHead().insertRow();
    for (const column of table.columns) {
      const th = document.createElement('th');
      th.textContent = column;
      thead.append(th);
    }
    const body = tbl.createTBody();
    table.rows.forEach((row, i) => {
      const tr = body.insertRow();
      const cls = table.rowClass && table.rowClass[i];
      if (cls) tr.className = cls;
      for (const cell of row) tr.insertCell().textContent = cell;
    });
    if (table.rows.length === 0) {
      const td = body.insertRow().insertCell();
      td.colSpan = table.columns.length;
      td.className = 'empty';
      td.textContent = 'Nothing in this range';
    }
    scroller.append(tbl);
    block.append(scroller);
  }

  function renderTables(data, filters) {
    for (const block of $all('.table-block')) {
      const name = block.dataset.table;
      if (data.tables[name]) renderTable(block, name, data.tables[name], filters);
    }
  }

  function renderFleetSummary(data) {
    const summary = data.fleetSummary || {};
    const box = $('#fleet-summary');
    box.textContent = '';
    for (const [key, label] of [['kiosks', 'Kiosks'], ['ok', 'Healthy'], ['stale', 'Stale'], ['failing', 'Failing']]) {
      const tile = document.createElement('div');
      tile.className = 'tile' + (key !== 'kiosks' && key !== 'ok' && summary[key] ? ' warn' : '');
      tile.dataset.metric = 'fleet-' + key;
      const h = document.createElement('h2');
      h.textContent = label;
      const v = document.createElement('div');
      v.className = 'value';
      v.textContent = String(summary[key] || 0);
      tile.append(h, v);
      box.append(tile);
    }
  }

  function fillStores(stores, selected) {
    const select = $('#store');
    const keep = new Set(stores);
    if (selected) keep.add(selected);
    select.textContent = '';
    const all = document.createElement('option');
    all.value = '';
    all.textContent = 'All stores';
    select.append(all);
    for (const store of Array.from(keep).sort()) {
      const opt = document.createElement('option');
      opt.value = store;
      opt.textContent = store;
      select.append(opt);
    }
    select.value = selected;
  }

  // Every survey version of the range (whatever is chosen), so another version can be picked.
  function fillSurveys(available, filters) {
    const select = $('#survey');
    const bySurvey = new Map();
    for (const v of available) {
      if (!bySurvey.has(v.surveyId)) bySurvey.set(v.surveyId, []);
      bySurvey.get(v.surveyId).push(v);
    }
    if (filters.survey && !bySurvey.has(filters.survey)) bySurvey.set(filters.survey, []);
    select.textContent = '';
    const option = (value, text) => {
      const opt = document.createElement('option');
      opt.value = value;
      opt.textContent = text;
      select.append(opt);
    };
    option('', 'All surveys and versions');
    for (const [survey, versions] of Array.from(bySurvey.entries()).sort((a, b) => a[0].localeCompare(b[0]))) {
      if (!survey) continue;  // answers without a survey id cannot be chosen on their own
      const name = survey;
      option(survey, `${name}: all versions`);
      for (const v of versions) {
        const label = v.version === 0 ? 'version unknown' : `version ${v.version}`;
        option(`${survey}|${v.version}`, `${name}: ${label} (${v.responses} answers)`);
      }
    }
    const wanted = surveyChoice(filters);
    if (!Array.from(select.options).some((o) => o.value === wanted)) option(wanted, wanted.replace('|', ': version '));
    select.value = wanted;
  }

  // Figures that average a question with its reworded successor say so (the hub names each such survey).
  function renderSurveyNotice(stats) {
    const box = $('#survey-notice');
    const mixed = stats.mixedSurveyVersions || [];
    box.hidden = mixed.length === 0;
    box.textContent = mixed.map((m) => `${m.notice.charAt(0).toUpperCase()}${m.notice.slice(1)}.`).join(' ');
  }

  function showTab() {
    const tab = (window.location.hash || '#overview').slice(1);
    const known = $all('.tab').some((s) => s.id === 'tab-' + tab) ? tab : 'overview';
    for (const section of $all('.tab')) section.hidden = section.id !== 'tab-' + known;
    for (const link of $all('#tabs a')) link.classList.toggle('active', link.dataset.tab === known);
    // Charts in a hidden section have no size; let them measure again now that it is visible.
    for (const chart of Object.values(charts)) chart.resize();
  }

  async function load() {
    loadedSearch = window.location.search;
    const filters = readFilters();
    $('#from').value = filters.from;
    $('#to').value = filters.to;
    setStatus('Loading…');
    let response;
    try {
      response = await fetch(`/dashboard/api/data?${query(filters)}`, { credentials: 'same-origin' });
    } catch (err) {
      setStatus('The hub did not answer. Check the connection and reload.', true);
      return;
    }
    if (response.status === 401) {
      window.location.assign('/dashboard/signin?error=expired');
      return;
    }
    if (!response.ok) {
      let reason = `HTTP ${response.status}`;
      try { reason = (await response.json()).error || reason; } catch (_) { /* not JSON: keep the status */ }
      setStatus(`Could not load the figures: ${reason}`, true);
      return;
    }
    const data = await response.json();
    lastData = data;
    fillStores(data.stores || [], filters.store);
    fillSurveys(data.stats.availableSurveyVersions || [], filters);
    renderSurveyNotice(data.stats);
    renderTiles(data.stats.overall || {});
    renderOverviewCharts(data);
    renderSigninChart(data);
    renderJourneyCharts(data);
    renderReasonsChart(data);
    renderFleetSummary(data);
    renderTables(data, filters);
    showTab();
    let scope = filters.store || 'all stores';
    if (filters.survey) {
      scope += `, survey ${filters.survey}`;
      if (filters.surveyVersion !== '') scope += ` version ${filters.surveyVersion}`;
    }
    setStatus(`${filters.from} to ${filters.to}, ${scope}`);
    document.body.dataset.loaded = 'true';
    // The Cases tab (cases.js) follows the same dates and stores.
    document.dispatchEvent(new CustomEvent('dashboard:loaded', { detail: { filters, stores: data.stores || [] } }));
  }

  $('#filters').addEventListener('submit', (event) => {
    event.preventDefault();
    const q = new URLSearchParams({ from: $('#from').value, to: $('#to').value });
    if ($('#store').value) q.set('store', $('#store').value);
    const [survey, version] = $('#survey').value.split('|');
    if (survey) q.set('survey', survey);
    if (survey && version !== undefined) q.set('surveyVersion', version);
    if (q.get('from') > q.get('to')) {
      setStatus('"From" must not be after "To".', true);
      return;
    }
    window.history.pushState(null, '', `?${q.toString()}${window.location.hash}`);
    load();
  });
  // Back/forward between filter choices reloads; a tab change (which browsers also report as popstate,
  // being a fragment navigation) only switches the visible section.
  let loadedSearch = window.location.search;
  window.addEventListener('popstate', () => {
    if (window.location.search !== loadedSearch) load();
    else showTab();
  });
  window.addEventListener('hashchange', showTab);
  window.dashboardData = () => lastData;  // for people poking at the figures from the browser console
  load();
})();
