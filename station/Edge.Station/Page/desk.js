// Over 300 lines: one page, its live stream, the open alarms and their 1-3-5 clocks, the gateways, the history and the sound share state.
/* desk.js — police alarm desk front end (vanilla JS, no dependencies).
 *
 * SECURITY: every string from the server (device names, locations, community
 * ids, reasons, ...) is device-supplied. It only ever reaches the page through
 * createElement / textContent / setAttribute / Element.append(string) — never
 * as HTML. Row lookups use Maps keyed by id, never CSS selectors built from data.
 */
(function () {
  'use strict';

  const $ = (id) => document.getElementById(id);

  // Login page: this script only reveals the static "login failed" text.
  if ($('login')) {
    if (new URLSearchParams(location.search).get('failed') === '1') $('login-failed').hidden = false;
    return;
  }

  // ---------------------------------------------------------------- labels
  const TYPE_LABELS = {
    'alarm.panic': '紧急报警', 'alarm.duress': '胁迫报警', 'alarm.zone': '防区报警',
    'alarm.tamper': '防拆报警', 'alarm.cut': '线路剪断', 'door.forced': '强行开门',
    'camera.tamper': '摄像机遮挡',
  };
  const STEP_BUTTONS = {
    acknowledge: '接警 Acknowledge', dispatch: '出警 Dispatch', arrive: '到场 On scene',
    reinforce: '请求增援 Ask reinforcement', reinforced: '增援到场 Reinforced', resolve: '处置完毕 Resolve',
  };
  const STEP_NAMES = {
    acknowledge: '接警', dispatch: '出警', arrive: '到场',
    reinforce: '请求增援', reinforced: '增援到场', resolve: '处置',
  };
  // The 1-3-5 clocks, all running from raisedAt.
  const CLOCKS = [['acknowledge', '接警 1′'], ['arrive', '到场 3′'], ['reinforced', '增援 5′']];
  // Progress label = most advanced step taken so far.
  const PROGRESS = [
    ['reinforced', '增援已到场 Reinforced'], ['reinforce', '请求增援 Reinforcement asked'],
    ['arrive', '已到场 On scene'], ['dispatch', '已出警 Dispatched'], ['acknowledge', '已接警 Acknowledged'],
  ];
  const OUTCOME_MARK = { applied: '✓', replayed: '✓', refused: '✗', expired: '✗', failed: '✗' };
  const PRIORITIES = ['critical', 'high', 'normal', 'low'];
  const FLASH_MS = 15000;

  // ---------------------------------------------------------------- state
  const open = new Map();       // alarm id -> Alarm (open alarms only)
  const openRows = new Map();   // alarm id -> <tr> in #alarms
  const histRows = new Map();   // alarm id -> <tr> in #history
  const rowData = new WeakMap(); // <tr> -> Alarm / Gateway it was built from
  const closed = new Set();     // ids seen resolved: later "open" copies are stale
  const flashUntil = new Map(); // alarm id -> epoch ms until which the row flashes
  const errors = new Map();     // alarm id -> last step error text (409 etc.)
  const gws = new Map();        // "community/gateway" -> Gateway
  const gwRows = new Map();     // "community/gateway" -> <tr>

  const alarmsBody = $('alarms').tBodies[0];
  const histBody = $('history').tBodies[0];
  const gwBody = $('gateways').tBodies[0];

  // ---------------------------------------------------------------- helpers
  /** Element with optional class and text (text is always set via textContent). */
  function el(tag, cls, text) {
    const n = document.createElement(tag);
    if (cls) n.className = cls;
    if (text != null) n.textContent = String(text);
    return n;
  }
  const ms = (iso) => (iso ? Date.parse(iso) : NaN);
  const pad = (n) => String(n).padStart(2, '0');
  const fmtMSS = (sec) => Math.floor(sec / 60) + ':' + pad(sec % 60);

  /** Local time; date is added when not today. */
  function fmtTime(iso) {
    const t = ms(iso);
    if (isNaN(t)) return '—';
    const d = new Date(t);
    const hms = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
    if (d.toDateString() === new Date().toDateString()) return hms;
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${hms}`;
  }

  /** fetch wrapper: same-origin cookies; 401 sends the operator to the login page. */
  async function api(path, opts) {
    const res = await fetch(path, Object.assign({ credentials: 'same-origin', headers: { Accept: 'application/json' } }, opts));
    if (res.status === 401) {
      location.href = '/login';
      throw new Error('not logged in');
    }
    return res;
  }
  async function getJson(path) {
    const res = await api(path);
    if (!res.ok) throw new Error('HTTP ' + res.status);
    return res.json();
  }

  // ---------------------------------------------------------------- alarm logic
  const steps = (a) => (Array.isArray(a.steps) ? a.steps : []);
  const lastStep = (a, step) => steps(a).filter((s) => s.step === step).pop();

  /** A clock is late when its step is not done and its due time has passed. */
  function clockLate(a, step, now) {
    const due = ms(a.due && a.due[step]);
    return !lastStep(a, step) && !isNaN(due) && now > due;
  }
  function isOverdue(a, now) {
    if (Array.isArray(a.overdue) && a.overdue.length > 0) return true;
    return a.state !== 'resolved' && CLOCKS.some(([s]) => clockLate(a, s, now));
  }

  function progressLabel(a) {
    if (a.state === 'resolved') return '已处置 Resolved';
    const p = PROGRESS.find(([s]) => lastStep(a, s));
    return p ? p[1] : '报警 Alarm';
  }

  // ---------------------------------------------------------------- row builder
  function locationText(loc) {
    if (!loc) return '—';
    const parts = [];
    if (loc.building) parts.push(loc.building + '栋');
    if (loc.unit) parts.push(loc.unit + '单元');
    if (loc.floor) parts.push(loc.floor + '层');
    let text = parts.join(' ');
    if (loc.description) text += (text ? ' · ' : '') + loc.description;
    return text || '—';
  }

  /** (Re)fill the 1-3-5 cell: remaining m:ss, "超时 Overdue +m:ss", or ✓ who when. */
  function fillCountdown(td, a, now) {
    td.replaceChildren();
    const serverOverdue = Array.isArray(a.overdue) ? a.overdue : [];
    for (const [step, label] of CLOCKS) {
      const due = ms(a.due && a.due[step]);
      const done = lastStep(a, step);
      if (!done && isNaN(due)) continue; // e.g. reinforcement never asked
      const line = el('div', 'clock');
      line.append(el('span', 'clock-label', label), ' ');
      if (done) {
        line.classList.add('done');
        line.append(`✓ ${done.by || ''} ${fmtTime(done.at)}`);
        if (serverOverdue.includes(step)) line.append(el('span', 'late-note', ' 超时 late'));
      } else if (a.state === 'resolved') {
        line.append('—');
      } else if (now <= due) {
        line.append(fmtMSS(Math.ceil((due - now) / 1000)));
      } else {
        line.classList.add('late');
        line.append('超时 Overdue +' + fmtMSS(Math.floor((now - due) / 1000)));
      }
      td.append(line);
    }
  }

  /** Step results: "接警 ✓ applied" / "出警 ✗ failed: reason" plus who/when. */
  function fillResults(td, a) {
    for (const s of steps(a)) {
      const outcome = s.outcome || (s.commandId ? 'pending' : 'none');
      // Only known outcome words become class names.
      const known = OUTCOME_MARK[outcome] || outcome === 'pending';
      const line = el('div', 'result outcome-' + (known ? outcome : 'none'));
      let text = (STEP_NAMES[s.step] || s.step) + ' ';
      if (outcome === 'pending') text += '… 等待 pending';
      else if (outcome !== 'none') text += (OUTCOME_MARK[outcome] || '?') + ' ' + outcome;
      else text += '✓';
      if (s.reason) text += ': ' + s.reason;
      line.append(text, el('span', 'meta', ` ${s.by || ''} ${fmtTime(s.at)}`));
      td.append(line);
    }
  }

  function fillPictures(td, a) {
    for (const pid of Array.isArray(a.pictures) ? a.pictures : []) {
      const url = '/api/pictures/' + encodeURIComponent(pid);
      const link = el('a');
      link.href = url;
      link.target = '_blank';
      link.rel = 'noopener';
      const img = el('img', 'picture');
      img.src = url;
      img.loading = 'lazy';
      img.alt = '现场图片 Picture';
      link.append(img);
      td.append(link);
    }
  }

  function fillActions(td, a) {
    for (const step of Array.isArray(a.next) ? a.next : []) {
      if (!STEP_BUTTONS[step]) continue; // unknown step: no button
      const b = el('button', 'step', STEP_BUTTONS[step]);
      b.type = 'button';
      b.setAttribute('data-step', step);
      b.addEventListener('click', () => doStep(a.id, step, td));
      td.append(b);
    }
    if (errors.has(a.id)) td.append(el('div', 'row-error', errors.get(a.id)));
  }

  /** One alarm row; shared by the open list (with buttons) and history (without). */
  function buildRow(a, withActions) {
    const now = Date.now();
    const dev = a.device || {};
    const tr = el('tr');
    tr.setAttribute('data-alarm-id', a.id);
    rowData.set(tr, a);
    if (isOverdue(a, now)) tr.classList.add('overdue');
    if ((flashUntil.get(a.id) || 0) > now) tr.classList.add('flash');
    if (PRIORITIES.includes(a.priority)) tr.classList.add('prio-' + a.priority);
    if (a.state === 'resolved') tr.classList.add('resolved');

    const cell = (cls, text) => { const td = el('td', cls, text); tr.append(td); return td; };
    cell('community', a.community).title = a.gateway ? '网关 Gateway ' + a.gateway : '';
    cell('location', locationText(dev.location));
    const devCell = cell('device-name', dev.name || dev.id || '—');
    devCell.title = [dev.id, dev.kind].filter(Boolean).join(' · ');
    const typeCell = cell('type');
    typeCell.append(el('span', 'type-cn', TYPE_LABELS[a.type] || a.type || '—'));
    if (TYPE_LABELS[a.type]) typeCell.append(' ', el('span', 'type-code', a.type));
    if (a.priority) typeCell.append(el('div', 'prio', a.priority));
    cell('raised', fmtTime(a.raisedAt)).title = '收到 Received ' + fmtTime(a.receivedAt);
    const delay = Number(a.delayMs);
    const delayCell = cell('delay', isFinite(delay) && a.delayMs != null ? (delay / 1000).toFixed(1) + ' s' : '—');
    if (delay > 5000) delayCell.classList.add('slow');
    fillCountdown(cell('countdown'), a, now);
    fillResults(cell('results'), a);
    fillPictures(cell('pictures'), a);
    const stateCell = cell('state', progressLabel(a));
    if (a.restoredAt) stateCell.append(el('div', 'restored', '设备已复位 Restored ' + fmtTime(a.restoredAt)));
    if (withActions) fillActions(cell('actions'), a);
    return tr;
  }

  // ---------------------------------------------------------------- open alarm list
  /**
   * Steps are append-only and a step's outcome, once known, stays: an update with fewer steps, or as many steps and
   * fewer outcomes, than we hold is stale. (A step's own reply can arrive after the live stream already brought the
   * gateway's answer to it.)
   */
  const answered = (a) => steps(a).filter((s) => s && s.outcome).length;
  const isStale = (cur, a) => cur && (steps(a).length < steps(cur).length ||
    (steps(a).length === steps(cur).length && answered(a) < answered(cur)));

  /** When each alarm was first on the page (ms since the epoch): what the benchmark measures the desk by. */
  const shownAt = new Map();
  window.edgeDeskShownAt = shownAt;

  /** Insert/replace/remove an alarm everywhere it is shown. Returns true when newly opened. */
  function upsertAlarm(a) {
    if (!a || !a.id) return false;
    updateHistoryRow(a);
    if (a.state === 'resolved') {
      closed.add(a.id);
      removeOpen(a.id);
      return false;
    }
    if (closed.has(a.id) || isStale(open.get(a.id), a)) return false;
    const old = openRows.get(a.id);
    const isNew = !open.has(a.id);
    open.set(a.id, a);
    const tr = buildRow(a, true);
    if (!shownAt.has(a.id)) shownAt.set(a.id, Date.now());
    tr.setAttribute('data-shown-at', String(shownAt.get(a.id)));
    if (old) old.replaceWith(tr); else alarmsBody.append(tr);
    openRows.set(a.id, tr);
    scheduleOrder();
    return isNew;
  }

  function removeOpen(id) {
    const old = openRows.get(id);
    if (old) old.remove();
    open.delete(id); openRows.delete(id); errors.delete(id); flashUntil.delete(id);
    scheduleOrder();
  }

  function updateHistoryRow(a) {
    const old = histRows.get(a.id);
    if (!old || isStale(rowData.get(old), a)) return;
    const tr = buildRow(a, false);
    old.replaceWith(tr);
    histRows.set(a.id, tr);
  }

  /** Replace the open list with a fresh snapshot (after (re)connecting). */
  function setOpenAlarms(list) {
    const ids = new Set(list.map((a) => a.id));
    for (const id of [...open.keys()]) if (!ids.has(id)) removeOpen(id);
    ids.forEach((id) => closed.delete(id)); // the snapshot is authoritative
    list.forEach(upsertAlarm);
  }

  // Sorting/summary is batched: many events in a burst cause one reorder.
  let orderPending = false;
  function scheduleOrder() {
    if (orderPending) return;
    orderPending = true;
    setTimeout(applyOrder, 0);
  }
  function applyOrder() {
    orderPending = false;
    const now = Date.now();
    const list = [...open.values()].sort((x, y) =>
      (isOverdue(y, now) - isOverdue(x, now)) || ((ms(y.raisedAt) || 0) - (ms(x.raisedAt) || 0)));
    const rows = list.map((a) => openRows.get(a.id));
    const cur = alarmsBody.children;
    // Only move nodes when the order really changed (keeps focus/hover stable).
    if (rows.length !== cur.length || rows.some((r, i) => r !== cur[i])) alarmsBody.append(...rows);
    const overdue = list.filter((a) => isOverdue(a, now)).length;
    $('alarms-empty').hidden = list.length > 0;
    const counts = $('alarms-count');
    counts.textContent = `未处置 Open: ${list.length}` + (overdue ? ` · 超时 Overdue: ${overdue}` : '');
    counts.classList.toggle('has-overdue', overdue > 0);
    document.title = (list.length ? `(${list.length}${overdue ? '!' : ''}) ` : '') + '警务室报警台 Police alarm desk';
    $('sound-toggle').classList.toggle('attention', !soundOn && list.length > 0);
  }

  // ---------------------------------------------------------------- step buttons
  async function doStep(id, step, td) {
    td.querySelectorAll('button').forEach((b) => { b.disabled = true; });
    errors.delete(id);
    let msg;
    try {
      const res = await api(`/api/alarms/${encodeURIComponent(id)}/${step}`,
        { method: 'POST', headers: { 'X-Edge-Desk': '1', Accept: 'application/json' } });
      if (res.ok) { upsertAlarm(await res.json()); return; }
      let body = null;
      try { body = await res.json(); } catch (e) { /* not JSON */ }
      msg = (body && typeof body.error === 'string' && body.error) || 'HTTP ' + res.status;
    } catch (e) {
      msg = '网络错误 Network error';
    }
    errors.set(id, msg);
    const cur = open.get(id);
    if (cur) upsertAlarm(cur); // re-render: shows the error and re-enables the buttons
  }

  // ---------------------------------------------------------------- SSE handlers
  async function onEscalation(e) {
    let a = open.get(e.alarmId);
    if (!a) {
      // Not in our list (missed event?): fetch it; if that fails, still alert.
      try { a = await getJson('/api/alarms/' + encodeURIComponent(e.alarmId)); } catch (err) { beep('escalation'); return; }
    }
    if (!a || !a.id || a.state === 'resolved') return;
    const overdue = Array.isArray(a.overdue) ? a.overdue : [];
    a = Object.assign({}, a, { overdue: overdue.includes(e.step) ? overdue : overdue.concat([e.step]) });
    flashUntil.set(a.id, Date.now() + FLASH_MS);
    upsertAlarm(a);
    beep('escalation');
  }

  function onPicture(p) {
    const add = (a) => {
      const pics = Array.isArray(a.pictures) ? a.pictures : [];
      return pics.includes(p.pictureId) ? null : Object.assign({}, a, { pictures: pics.concat([p.pictureId]) });
    };
    const a = open.get(p.alarmId) || (histRows.has(p.alarmId) && rowData.get(histRows.get(p.alarmId)));
    const updated = a && add(a);
    if (updated) upsertAlarm(updated);
  }

  // ---------------------------------------------------------------- gateways
  const gwKey = (g) => g.community + '/' + g.gateway;

  function buildGatewayRow(g) {
    const tr = el('tr');
    tr.setAttribute('data-gateway', gwKey(g));
    tr.classList.toggle('offline', !g.online);
    rowData.set(tr, g);
    tr.append(el('td', 'gw', gwKey(g)));
    const st = el('td', 'online', g.online ? '在线 Online' : '离线 Offline');
    if (g.reason) st.append(el('div', 'reason', g.reason));
    st.title = '状态时间 Status at ' + fmtTime(g.statusAt);
    tr.append(st);
    tr.append(el('td', 'heartbeat')); // filled by tickGateways
    const q = g.queue || {};
    const total = ['critical', 'high', 'normal', 'low'].reduce((n, k) => n + (Number(q[k]) || 0), 0);
    const qc = el('td', 'queue', String(total));
    if (q.critical) { qc.append(el('span', 'crit', ` (紧急 critical ${q.critical})`)); qc.classList.add('warn'); }
    if (g.oldestPendingAgeS != null) qc.title = '最旧 Oldest pending ' + g.oldestPendingAgeS + ' s';
    tr.append(qc);
    const miss = el('td', 'missing', String(g.missingSeq || 0));
    if (g.missingSeq > 0) miss.classList.add('warn');
    miss.title = 'lastSeq ' + (g.lastSeq != null ? g.lastSeq : '—');
    tr.append(miss);
    const devs = Array.isArray(g.devicesOffline) ? g.devicesOffline : [];
    const dc = el('td', 'devices-offline', devs.length ? devs.slice(0, 6).join(', ') + (devs.length > 6 ? ` +${devs.length - 6}` : '') : '—');
    if (devs.length) { dc.title = devs.join(', '); dc.classList.add('warn'); }
    tr.append(dc);
    fillHeartbeat(tr.cells[2], g, Date.now());
    return tr;
  }

  function fillHeartbeat(td, g, now) {
    const t = ms(g.lastHeartbeatAt);
    const age = isNaN(t) ? null : Math.max(0, Math.round((now - t) / 1000));
    td.textContent = age == null ? '—' : age + ' s';
    td.classList.toggle('stale', age == null || age > 60);
  }

  function upsertGateway(g) {
    if (!g || g.community == null || g.gateway == null) return;
    const key = gwKey(g);
    const prev = gws.get(key);
    const old = gwRows.get(key);
    gws.set(key, g);
    const tr = buildGatewayRow(g);
    if (old) old.replaceWith(tr); else gwBody.append(tr);
    gwRows.set(key, tr);
    if (!prev || !prev.online !== !g.online) scheduleGwOrder(); // only status changes reorder
  }

  function setGateways(list) {
    gws.clear(); gwRows.clear(); gwBody.replaceChildren();
    list.forEach(upsertGateway);
    scheduleGwOrder();
  }

  let gwOrderPending = false;
  function scheduleGwOrder() {
    if (gwOrderPending) return;
    gwOrderPending = true;
    setTimeout(() => {
      gwOrderPending = false;
      const keys = [...gws.keys()].sort((x, y) =>
        (!!gws.get(x).online - !!gws.get(y).online) || x.localeCompare(y, undefined, { numeric: true }));
      gwBody.append(...keys.map((k) => gwRows.get(k)));
      const offline = keys.filter((k) => !gws.get(k).online).length;
      const sum = $('gateways-summary');
      sum.textContent = `网关 Gateways: ${keys.length - offline} 在线 online, ${offline} 离线 offline`;
      sum.classList.toggle('has-offline', offline > 0);
    }, 0);
  }

  // ---------------------------------------------------------------- 1 s clock
  function tick() {
    const now = Date.now();
    let reorder = false;
    for (const [id, tr] of openRows) {
      const a = open.get(id);
      fillCountdown(tr.querySelector('td.countdown'), a, now);
      const od = isOverdue(a, now);
      if (od !== tr.classList.contains('overdue')) { tr.classList.toggle('overdue', od); reorder = true; }
      if ((flashUntil.get(id) || 0) <= now) { tr.classList.remove('flash'); flashUntil.delete(id); }
    }
    for (const tr of histRows.values()) {
      const a = rowData.get(tr);
      if (a.state === 'resolved') continue;
      fillCountdown(tr.querySelector('td.countdown'), a, now);
      tr.classList.toggle('overdue', isOverdue(a, now));
    }
    for (const tr of gwRows.values()) fillHeartbeat(tr.cells[2], rowData.get(tr), now);
    if (reorder) scheduleOrder();
  }

  // ---------------------------------------------------------------- sound (WebAudio, no files)
  let audio = null;
  let soundOn = false;
  const PATTERNS = {
    test: [[660, 0, 0.15]],
    alarm: [[880, 0, 0.2], [660, 0.25, 0.2]],
    escalation: [[1000, 0, 0.18], [700, 0.22, 0.18], [1000, 0.44, 0.18], [700, 0.66, 0.18], [1000, 0.88, 0.35]],
  };
  function tone(freq, start, dur) {
    const o = audio.createOscillator();
    const g = audio.createGain();
    o.type = 'square';
    o.frequency.value = freq;
    g.gain.setValueAtTime(0.0001, start);
    g.gain.exponentialRampToValueAtTime(0.3, start + 0.01);
    g.gain.exponentialRampToValueAtTime(0.0001, start + dur);
    o.connect(g).connect(audio.destination);
    o.start(start);
    o.stop(start + dur + 0.02);
  }
  function beep(kind) {
    if (!soundOn || !audio) return;
    const t0 = audio.currentTime + 0.02;
    for (const [f, s, d] of PATTERNS[kind]) tone(f, t0 + s, d);
  }
  $('sound-toggle').addEventListener('click', (ev) => {
    const btn = ev.currentTarget;
    soundOn = !soundOn;
    if (soundOn) {
      // Created/resumed inside the click so the browser's autoplay policy allows it.
      const Ctx = window.AudioContext || window.webkitAudioContext;
      if (!Ctx) { soundOn = false; btn.textContent = '不支持声音 No audio'; return; }
      audio = audio || new Ctx();
      audio.resume();
      beep('test');
    }
    btn.textContent = soundOn ? '关闭声音 Disable sound' : '启用声音 Enable sound';
    btn.setAttribute('aria-pressed', String(soundOn));
    btn.classList.toggle('on', soundOn);
    scheduleOrder(); // refreshes the "attention" hint
  });

  // ---------------------------------------------------------------- live stream
  function setConn(live) {
    const c = $('connection');
    c.textContent = live ? '● 实时 Live' : '● 重连中 Reconnecting';
    c.className = 'conn ' + (live ? 'live' : 'reconnecting');
  }

  async function reloadAll() {
    try {
      const [alarms, gateways] = await Promise.all([getJson('/api/alarms?state=open'), getJson('/api/gateways')]);
      setOpenAlarms(Array.isArray(alarms) ? alarms : []);
      setGateways(Array.isArray(gateways) ? gateways : []);
    } catch (e) {
      setConn(false);
    }
  }

  function connect() {
    setConn(false);
    const es = new EventSource('/api/stream');
    const on = (name, fn) => es.addEventListener(name, (ev) => {
      let data;
      try { data = JSON.parse(ev.data); } catch (e) { return; }
      if (data && typeof data === 'object') fn(data);
    });
    es.onopen = () => { setConn(true); reloadAll(); };
    es.onerror = () => {
      setConn(false);
      // EventSource retries by itself unless the server answered with an error
      // (e.g. 401): then check the session (redirects on 401) and start again.
      if (es.readyState === EventSource.CLOSED) {
        es.close();
        setTimeout(() => api('/api/me').catch(() => {}).then(connect), 5000);
      }
    };
    on('alarm', (a) => { if (upsertAlarm(a)) beep('alarm'); });
    on('gateway', upsertGateway);
    on('escalation', onEscalation);
    on('picture', onPicture);
  }

  // ---------------------------------------------------------------- history search
  $('history-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const f = new FormData(ev.currentTarget);
    const q = new URLSearchParams({ state: 'all', limit: '200' });
    const community = String(f.get('community') || '').trim();
    if (community) q.set('community', community);
    if (f.get('type')) q.set('type', f.get('type'));
    for (const k of ['from', 'to']) {
      const v = f.get(k);
      const d = v ? new Date(v) : null; // datetime-local is local time
      if (d && !isNaN(d)) q.set(k, d.toISOString());
    }
    const status = $('history-status');
    status.textContent = '查询中 Searching…';
    try {
      const list = await getJson('/api/alarms?' + q);
      histBody.replaceChildren();
      histRows.clear();
      for (const a of Array.isArray(list) ? list : []) {
        const tr = buildRow(a, false);
        histBody.append(tr);
        histRows.set(a.id, tr);
      }
      status.textContent = `${histRows.size} 条结果 results` + (list.length >= 200 ? ' (已达上限 limit reached)' : '');
    } catch (e) {
      status.textContent = '查询失败 Search failed: ' + e.message;
    }
  });

  // ---------------------------------------------------------------- start
  getJson('/api/me').then((me) => { $('operator').textContent = (me && me.name) || '—'; }).catch(() => {});
  applyOrder();
  reloadAll(); // also done on every stream (re)open; this covers a slow first connect
  connect();
  setInterval(tick, 1000);
})();
