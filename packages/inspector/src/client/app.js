// @ts-check
/**
 * The inspector page's script, served inline as it is (no build step) and type-checked by
 * client/tsconfig.json against the API's types. Everything from the API is put on the page as
 * text (textContent, Text nodes), never as markup: avatar names and payloads are user data.
 *
 * @typedef {import('../api-types.js').AvatarSummary} AvatarSummary
 * @typedef {import('../api-types.js').SearchResponse} SearchResponse
 * @typedef {import('../api-types.js').AvatarReport} AvatarReport
 * @typedef {import('../api-types.js').AvatarStateAt} AvatarStateAt
 * @typedef {import('../api-types.js').EventRow} EventRow
 * @typedef {import('../api-types.js').InboundRow} InboundRow
 * @typedef {import('../api-types.js').TimelineRow} TimelineRow
 * @typedef {import('../api-types.js').ApiError} ApiError
 */

const token = new URLSearchParams(location.search).get('token') ?? '';
const base = location.pathname.endsWith('/') ? location.pathname : `${location.pathname}/`;

/**
 * @template T
 * @param {string} path relative to the inspector's root
 * @param {AbortSignal} [signal]
 * @returns {Promise<T>}
 */
async function api(path, signal) {
  const response = await fetch(base + path, { headers: { authorization: `Bearer ${token}` }, signal: signal ?? null });
  if (!response.ok) throw new Error(await failureOf(response));
  return /** @type {T} */ (await response.json());
}

/** @param {Response} response */
async function failureOf(response) {
  try {
    const body = /** @type {Partial<ApiError>} */ (await response.json());
    if (typeof body.error === 'string') return body.error;
  } catch {
    // Not JSON: the status line says enough.
  }
  return `${response.status} ${response.statusText}`;
}

// --- DOM helpers -----------------------------------------------------------------------------

/**
 * @template {HTMLElement} T
 * @param {string} id
 * @param {{ new (): T, prototype: T }} type
 * @returns {T}
 */
function byId(id, type) {
  const node = document.getElementById(id);
  if (!(node instanceof type)) throw new Error(`the page has no #${id}`);
  return node;
}

/**
 * An element with text and children; strings become Text nodes, so no markup is ever parsed.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {{ className?: string, text?: string, title?: string }} [props]
 * @param {(Node | string)[]} [children]
 * @returns {HTMLElementTagNameMap[K]}
 */
function el(tag, props = {}, children = []) {
  const node = document.createElement(tag);
  if (props.className) node.className = props.className;
  if (props.text !== undefined) node.textContent = props.text;
  if (props.title) node.title = props.title;
  node.append(...children);
  return node;
}

/**
 * @param {HTMLElement} node
 * @param {string} status
 */
function showStatus(node, status, extra = '') {
  node.className = `status status-${status.replace(/[^a-z]/g, '')} ${extra}`.trim();
  node.textContent = status;
  return node;
}

/** @param {string} status */
function statusBadge(status, extra = '') {
  return showStatus(el('span'), status, extra);
}

/** @param {string} iso */
function timeOf(iso) {
  return iso.slice(11, 19);
}

/** @param {string} iso */
function dayOf(iso) {
  return iso.slice(0, 10);
}

/** @param {string} iso */
function dateTime(iso) {
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
}

const elements = {
  search: byId('search', HTMLInputElement),
  searchForm: byId('search-form', HTMLFormElement),
  results: byId('results', HTMLUListElement),
  resultCount: byId('result-count', HTMLSpanElement),
  empty: byId('empty', HTMLElement),
  avatar: byId('avatar', HTMLElement),
  name: byId('avatar-name', HTMLHeadingElement),
  meta: byId('avatar-meta', HTMLDivElement),
  status: byId('avatar-status', HTMLSpanElement),
  exportLink: byId('export', HTMLAnchorElement),
  slider: byId('version', HTMLInputElement),
  prev: byId('prev', HTMLButtonElement),
  next: byId('next', HTMLButtonElement),
  latest: byId('latest', HTMLButtonElement),
  versionLabel: byId('version-label', HTMLOutputElement),
  anomalies: byId('anomalies', HTMLDivElement),
  timeline: byId('timeline', HTMLOListElement),
  timelineCount: byId('timeline-count', HTMLSpanElement),
  stateCard: byId('state-card', HTMLDivElement),
  diagram: byId('diagram', HTMLDivElement),
  error: byId('error', HTMLDivElement),
};

/**
 * What the page shows now; `opening` is the avatar asked for last, so a slow answer for an avatar
 * clicked earlier cannot replace it.
 * @type {{ report: AvatarReport | null, opening: string | null, version: number, stateRequest: AbortController | null, searchRequest: AbortController | null }}
 */
const view = { report: null, opening: null, version: 0, stateRequest: null, searchRequest: null };

/** @type {number | undefined} */
let errorTimer;

/** @param {unknown} error */
function showError(error) {
  if (error instanceof DOMException && error.name === 'AbortError') return;
  elements.error.textContent = error instanceof Error ? error.message : String(error);
  elements.error.hidden = false;
  clearTimeout(errorTimer);
  errorTimer = window.setTimeout(() => (elements.error.hidden = true), 8000);
}

// --- Search ------------------------------------------------------------------------------------

/** @param {string} query */
async function search(query) {
  view.searchRequest?.abort();
  const request = new AbortController();
  view.searchRequest = request;
  /** @type {SearchResponse} */
  const result = await api(`api/avatars?q=${encodeURIComponent(query)}&limit=100`, request.signal);
  renderResults(result);
}

/** @param {SearchResponse} result */
function renderResults(result) {
  const count = result.avatars.length;
  elements.results.dataset.query = result.query;
  elements.resultCount.textContent = result.query === '' ? `Latest avatars (${count})` : `${count} match${count === 1 ? '' : 'es'}`;
  elements.results.replaceChildren(
    ...result.avatars.map((avatar) => {
      const button = el('button', { className: 'result', title: avatar.avatarId }, [
        el('span', { className: 'result-name', text: avatar.name }),
        statusBadge(avatar.status),
        el('span', { className: 'result-meta', text: `${avatar.avatarId.slice(0, 8)} · owner ${avatar.ownerId} · v${avatar.version}` }),
      ]);
      button.type = 'button';
      button.dataset.avatarId = avatar.avatarId;
      button.classList.toggle('active', avatar.avatarId === view.report?.avatarId);
      button.addEventListener('click', () => openAvatar(avatar.avatarId).catch(showError));
      return el('li', {}, [button]);
    }),
  );
  if (count === 0) elements.results.append(el('li', { className: 'no-results', text: 'No avatar matches.' }));
}

// --- One avatar --------------------------------------------------------------------------------

/**
 * @param {string} avatarId
 * @param {number} [version]
 */
async function openAvatar(avatarId, version) {
  view.opening = avatarId;
  /** @type {AvatarReport} */
  const report = await api(`api/avatars/${encodeURIComponent(avatarId)}`);
  if (view.opening !== avatarId) return;
  view.report = report;
  for (const button of elements.results.querySelectorAll('button.result')) {
    if (button instanceof HTMLButtonElement) button.classList.toggle('active', button.dataset.avatarId === avatarId);
  }
  renderHeader(report);
  renderAnomalies(report);
  renderTimeline(report);
  elements.slider.max = String(report.version);
  elements.empty.hidden = true;
  elements.avatar.hidden = false;
  await selectVersion(version ?? report.version, false);
}

/** @param {AvatarReport} report */
function renderHeader(report) {
  const model = report.readModel;
  elements.name.textContent = model?.name ?? report.avatarId;
  const facts = [
    el('code', { text: report.avatarId }),
    ...(model ? [`owner ${model.ownerId}`, `created ${dateTime(model.createdAt)}`] : ['no read-model row']),
    `${report.version} events`,
  ];
  elements.meta.replaceChildren(...facts.flatMap((fact, i) => (i === 0 ? [fact] : [el('span', { className: 'dot', text: '·' }), fact])));
  showStatus(elements.status, report.finalStatus ?? 'unknown', 'big');
  elements.status.title = 'the status the log folds to through the current machine';
  elements.exportLink.href = `${base}api/avatars/${encodeURIComponent(report.avatarId)}/events.ndjson`;
  elements.exportLink.download = `avatar-${report.avatarId.replace(/[^A-Za-z0-9._-]/g, '_')}.ndjson`;
}

/** @param {AvatarReport} report */
function renderAnomalies(report) {
  elements.anomalies.hidden = report.anomalies.length === 0;
  elements.anomalies.replaceChildren(
    el('h2', { text: `${report.anomalies.length} anomal${report.anomalies.length === 1 ? 'y' : 'ies'} found by replay` }),
    el(
      'ul',
      {},
      report.anomalies.map((anomaly) => {
        const item = el('li', { className: `anomaly anomaly-${anomaly.kind}` }, [
          el('span', { className: 'anomaly-kind', text: anomaly.kind.replace('_', ' ') }),
          el('span', { className: 'anomaly-where', text: `v${anomaly.version} ${anomaly.type}` }),
          el('span', { className: 'anomaly-reason', text: anomaly.reason }),
        ]);
        item.addEventListener('click', () => selectVersion(anomaly.version).catch(showError));
        return item;
      }),
    ),
  );
}

/** Event fields worth a glance in the timeline; the rest is one click away. */
const glanceFields = ['name', 'photoId', 'attemptId', 'falRequestId', 'falStatus', 'queuePosition', 'reason', 'retryable', 'trainer'];

/** @param {Record<string, unknown>} data */
function glance(data) {
  return glanceFields
    .filter((key) => data[key] !== undefined && data[key] !== null)
    .map((key) => el('span', { className: 'field' }, [el('span', { className: 'field-key', text: key }), ` ${String(data[key])}`]));
}

/** @param {EventRow} row */
function eventItem(row) {
  const moved = row.before !== row.after;
  const transition =
    row.outcome !== 'applied'
      ? `refused in ${row.before ?? 'no state'}`
      : row.before === null
        ? `→ ${row.after ?? '∅'}`
        : moved
          ? `${row.before} → ${row.after ?? '∅'}`
          : `${row.before} ↻`;
  const body = el('div', { className: 'row-body' }, [
    el('div', { className: 'row-line' }, [
      el('span', { className: 'event-type', text: row.type }),
      el('span', { className: `transition${moved ? ' moved' : ''}`, text: transition }),
    ]),
    el('div', { className: 'row-line secondary' }, [
      el('span', { className: 'actor', text: row.actor }),
      ...glance(row.data),
      details('data', JSON.stringify(row.data, null, 2)),
    ]),
  ]);
  if (row.reason !== null) body.append(el('div', { className: 'reason', text: row.reason }));
  const item = el('li', { className: `row event outcome-${row.outcome}` }, [
    el('span', { className: 'version-pill', text: `v${row.version}` }),
    el('time', { text: timeOf(row.at), title: row.at }),
    body,
    el('span', { className: 'outcome', text: row.outcome }),
  ]);
  item.dataset.version = String(row.version);
  return item;
}

/** @param {InboundRow} row */
function inboundItem(row) {
  const body = el('div', { className: 'row-body' }, [
    el('div', { className: 'row-line' }, [
      el('span', { className: 'event-type', text: `inbound ${row.source} message` }),
      el('code', { className: 'message-id', text: row.messageId }),
      details(row.payloadTruncated ? 'payload (cut)' : 'payload', prettyPayload(row.payload)),
    ]),
    el('div', { className: 'reason', text: row.reason ?? `not applied (${row.outcome})` }),
  ]);
  const item = el('li', { className: `row inbound outcome-${row.outcome}` }, [
    el('span', { className: 'version-pill inbound-pill', text: '⇣', title: `arrived after version ${row.afterVersion}` }),
    el('time', { text: timeOf(row.at), title: row.at }),
    body,
    el('span', { className: 'outcome', text: row.outcome.replace('_', ' ') }),
  ]);
  item.dataset.version = String(row.afterVersion);
  return item;
}

/** @param {string} payload */
function prettyPayload(payload) {
  try {
    return JSON.stringify(JSON.parse(payload), null, 2);
  } catch {
    return payload;
  }
}

/**
 * @param {string} summary
 * @param {string} text
 */
function details(summary, text) {
  const box = el('details', { className: 'raw' }, [el('summary', { text: summary }), el('pre', { text })]);
  box.addEventListener('click', (event) => event.stopPropagation());
  return box;
}

/** @param {AvatarReport} report */
function renderTimeline(report) {
  /** @type {HTMLElement[]} */
  const items = [];
  let day = '';
  for (const row of report.timeline) {
    if (dayOf(row.at) !== day) {
      day = dayOf(row.at);
      items.push(el('li', { className: 'day', text: day }));
    }
    const item = row.kind === 'event' ? eventItem(row) : inboundItem(row);
    item.tabIndex = 0;
    const version = Number(item.dataset.version);
    const select = () => selectVersion(Math.max(1, version)).catch(showError);
    item.addEventListener('click', select);
    item.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' || event.key === ' ') {
        event.preventDefault();
        select();
      }
    });
    items.push(item);
  }
  elements.timeline.replaceChildren(...items);
  const inbound = report.timeline.filter((row) => row.kind === 'inbound').length;
  elements.timelineCount.textContent = `${report.version} events${inbound > 0 ? `, ${inbound} refused inbound` : ''}`;
}

// --- Time travel -------------------------------------------------------------------------------

/**
 * @param {number} requested
 * @param {boolean} [reveal] scroll the timeline to the selected event (not when a page opens)
 */
async function selectVersion(requested, reveal = true) {
  const report = view.report;
  if (report === null) return;
  const version = Math.min(Math.max(1, Math.round(requested)), report.version);
  view.version = version;
  elements.slider.value = String(version);
  elements.versionLabel.textContent = `version ${version} of ${report.version}`;
  elements.prev.disabled = version <= 1;
  elements.next.disabled = version >= report.version;
  elements.latest.disabled = version === report.version;
  markTimeline(version, reveal);
  history.replaceState(null, '', `${location.search}#avatar=${encodeURIComponent(report.avatarId)}&v=${version}`);

  view.stateRequest?.abort();
  const request = new AbortController();
  view.stateRequest = request;
  /** @type {AvatarStateAt} */
  const state = await api(`api/avatars/${encodeURIComponent(report.avatarId)}/versions/${version}`, request.signal);
  if (view.version !== version) return;
  renderState(state);
  highlightDiagram(state);
}

/**
 * @param {number} version
 * @param {boolean} reveal
 */
function markTimeline(version, reveal) {
  for (const item of elements.timeline.querySelectorAll('li.row')) {
    if (!(item instanceof HTMLElement)) continue;
    const rowVersion = Number(item.dataset.version);
    const isEvent = item.classList.contains('event');
    item.classList.toggle('selected', isEvent && rowVersion === version);
    item.classList.toggle('future', isEvent ? rowVersion > version : rowVersion >= version);
  }
  const selected = elements.timeline.querySelector('li.selected');
  if (reveal && selected instanceof HTMLElement) selected.scrollIntoView({ block: 'nearest' });
}

/**
 * @param {string} label
 * @param {(Node | string)[]} value
 */
function fact(label, value) {
  return el('div', { className: 'fact' }, [el('dt', { text: label }), el('dd', {}, value)]);
}

/** @param {AvatarStateAt} state */
function renderState(state) {
  const facts = [
    fact('Name', [state.name]),
    fact('Photos', [`${state.photoCount} / ${state.photoLimits.max}`, el('span', { className: 'hint', text: ` (${state.photoLimits.minToTrain} to train)` })]),
  ];
  if (state.attempt) {
    const { attempt } = state;
    facts.push(
      fact('Attempt', [`#${attempt.number} of ${state.attempts} · `, el('code', { text: attempt.attemptId }), ` · ${attempt.trainer}, ${attempt.steps} steps`]),
      fact('fal request', [attempt.falRequestId === null ? el('span', { className: 'hint', text: 'not submitted' }) : el('code', { text: attempt.falRequestId })]),
    );
  }
  if (state.triggerPhrase !== null) facts.push(fact('Trigger', [el('code', { text: state.triggerPhrase })]));
  if (state.failure) facts.push(fact('Failure', [state.failure.reason, el('span', { className: 'hint', text: state.failure.retryable ? ' (retryable)' : ' (final)' })]));
  if (state.loraUrl !== null) facts.push(fact('LoRA', [el('code', { text: state.loraUrl })]));
  if (state.closedReason !== null) facts.push(fact('Closed', [state.closedReason]));

  const accepts = state.acceptedEvents.length === 0
    ? [el('span', { className: 'hint', text: 'nothing: this state is final' })]
    : state.acceptedEvents.map((type) => el('span', { className: 'chip', text: type }));

  elements.stateCard.replaceChildren(
    el('div', { className: 'state-head' }, [
      statusBadge(state.status, 'big'),
      ...(state.trainingStage ? [el('span', { className: 'stage', text: state.trainingStage })] : []),
      el('span', { className: 'when', text: `v${state.version} · ${dateTime(state.at)}` }),
    ]),
    el('dl', { className: 'facts' }, facts),
    el('div', { className: 'accepts' }, [el('span', { className: 'accepts-label', text: 'Accepts now' }), ...accepts]),
    pathStrip(state.version),
  );
  elements.stateCard.dataset.status = state.status;
}

/**
 * The states the avatar moved through up to `version`, in order, each a link to the event that
 * moved it there (read from the timeline: the diagram shows where, this shows when).
 * @param {number} version
 */
function pathStrip(version) {
  const moves = (view.report?.timeline ?? []).filter(
    /** @returns {row is EventRow} */ (row) => row.kind === 'event' && row.outcome === 'applied' && row.version <= version && row.before !== row.after,
  );
  const items = moves.flatMap((row, i) => {
    const stop = el('button', { className: 'path-stop', text: row.after ?? '∅', title: `v${row.version} ${row.type}` });
    stop.type = 'button';
    stop.addEventListener('click', () => selectVersion(row.version).catch(showError));
    return i === 0 ? [stop] : [el('span', { className: 'path-arrow', text: '→' }), stop];
  });
  return el('div', { className: 'path' }, [el('span', { className: 'accepts-label', text: 'Path' }), ...items]);
}

/** @param {string} value */
function attr(value) {
  return CSS.escape(value);
}

/** @param {string} id a transition id; labels shared by several edges list all of theirs */
function transitionSelector(id) {
  return `[data-transition="${attr(id)}"], [data-transitions~="${attr(id)}"]`;
}

/** @param {AvatarStateAt} state */
function highlightDiagram(state) {
  const svg = elements.diagram;
  for (const node of svg.querySelectorAll('.visited, .current, .taken, .available')) {
    node.classList.remove('visited', 'current', 'taken', 'available');
  }

  /**
   * @param {string} selector
   * @param {string} className
   */
  const mark = (selector, className) => svg.querySelectorAll(selector).forEach((node) => node.classList.add(className));
  for (const id of state.path.visited) mark(`[data-state="${attr(id)}"]`, 'visited');
  for (const id of state.active) mark(`[data-state="${attr(id)}"]`, 'current');
  for (const { transitions } of state.path.steps) for (const id of transitions) mark(transitionSelector(id), 'taken');
  for (const id of state.available) mark(transitionSelector(id), 'available');
  const deepest = state.active.at(-1);
  const current = deepest === undefined ? null : svg.querySelector(`[data-state="${attr(deepest)}"]`);
  if (current) revealInPanel(current);
}

/**
 * Scrolls the diagram (only it, never the page) so the state at the selected version shows.
 * @param {Element} node
 */
function revealInPanel(node) {
  const panel = elements.diagram;
  const box = node.getBoundingClientRect();
  const visible = panel.getBoundingClientRect();
  if (box.top >= visible.top && box.bottom <= visible.bottom) return;
  panel.scrollTop += box.top - visible.top - (visible.height - box.height) / 2;
}

// --- Export ------------------------------------------------------------------------------------

async function downloadExport() {
  const report = view.report;
  if (report === null) return;
  const response = await fetch(elements.exportLink.href, { headers: { authorization: `Bearer ${token}` } });
  if (!response.ok) throw new Error(await failureOf(response));
  const url = URL.createObjectURL(await response.blob());
  const link = el('a');
  link.href = url;
  link.download = elements.exportLink.download;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

// --- Wiring ------------------------------------------------------------------------------------

/** @type {number | undefined} */
let searchTimer;
elements.search.addEventListener('input', () => {
  clearTimeout(searchTimer);
  searchTimer = window.setTimeout(() => search(elements.search.value).catch(showError), 150);
});
elements.searchForm.addEventListener('submit', (event) => {
  event.preventDefault();
  clearTimeout(searchTimer);
  search(elements.search.value).catch(showError);
});
elements.slider.addEventListener('input', () => selectVersion(Number(elements.slider.value)).catch(showError));
elements.prev.addEventListener('click', () => selectVersion(view.version - 1).catch(showError));
elements.next.addEventListener('click', () => selectVersion(view.version + 1).catch(showError));
elements.latest.addEventListener('click', () => selectVersion(view.report?.version ?? 1).catch(showError));
elements.exportLink.addEventListener('click', (event) => {
  event.preventDefault();
  downloadExport().catch(showError);
});

/** Opens the avatar a link names (`#avatar=<id>&v=<version>`), if any. */
function openFromHash() {
  const params = new URLSearchParams(location.hash.slice(1));
  const avatarId = params.get('avatar');
  if (avatarId === null || avatarId === '') return;
  const version = Number(params.get('v'));
  openAvatar(avatarId, Number.isInteger(version) && version > 0 ? version : undefined).catch(showError);
}

search('').catch(showError);
openFromHash();
