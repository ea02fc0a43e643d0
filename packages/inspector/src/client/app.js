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
 * @typedef {import('../api-types.js').AnomalyView} AnomalyView
 * @typedef {import('../api-types.js').StreamLink} StreamLink
 * @typedef {import('../api-types.js').WalletSummary} WalletSummary
 * @typedef {import('../api-types.js').WalletReport} WalletReport
 * @typedef {import('../api-types.js').WalletEventRow} WalletEventRow
 * @typedef {import('../api-types.js').ReservationPurposeView} ReservationPurposeView
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
  walletPanelSummary: byId('wallet-panel-summary', HTMLSpanElement),
  walletPanelNote: byId('wallet-panel-note', HTMLParagraphElement),
  walletOpen: byId('wallet-open', HTMLButtonElement),
  avatarWallet: byId('avatar-wallet-timeline', HTMLOListElement),
  wallet: byId('wallet', HTMLElement),
  walletTitle: byId('wallet-title', HTMLHeadingElement),
  walletMeta: byId('wallet-meta', HTMLDivElement),
  walletBack: byId('wallet-back', HTMLButtonElement),
  walletTotals: byId('wallet-totals', HTMLElement),
  walletAnomalies: byId('wallet-anomalies', HTMLDivElement),
  walletTimeline: byId('wallet-timeline', HTMLOListElement),
  walletCount: byId('wallet-count', HTMLSpanElement),
  walletReservations: byId('wallet-reservations', HTMLUListElement),
  walletReservationCount: byId('wallet-reservation-count', HTMLSpanElement),
  walletTopUps: byId('wallet-topups', HTMLUListElement),
  walletTopUpCount: byId('wallet-topup-count', HTMLSpanElement),
  error: byId('error', HTMLDivElement),
};

/**
 * What the page shows now; `opening` is the avatar or wallet asked for last, so a slow answer for
 * one clicked earlier cannot replace it. `ownerWallet` is the wallet of the avatar's owner (the
 * panel beside its timeline), `wallet` the wallet page's.
 * @type {{ report: AvatarReport | null, opening: string | null, version: number, stateRequest: AbortController | null, searchRequest: AbortController | null, ownerWallet: WalletReport | null, wallet: WalletReport | null }}
 */
const view = { report: null, opening: null, version: 0, stateRequest: null, searchRequest: null, ownerWallet: null, wallet: null };

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
  const count = result.avatars.length + result.wallets.length;
  elements.results.dataset.query = result.query;
  elements.resultCount.textContent = result.query === '' ? `Latest avatars (${count})` : `${count} match${count === 1 ? '' : 'es'}`;
  elements.results.replaceChildren(
    ...result.wallets.map((wallet) => {
      const button = el('button', { className: 'result wallet-result', title: wallet.walletId }, [
        el('span', { className: 'result-name', text: `Wallet of ${wallet.ownerId}` }),
        el('span', { className: 'status status-wallet', text: `${wallet.balance} credits` }),
        el('span', { className: 'result-meta', text: `${wallet.walletId} · reserved ${wallet.reserved} · v${wallet.version}` }),
      ]);
      button.type = 'button';
      button.dataset.walletId = wallet.walletId;
      button.addEventListener('click', () => openWallet(wallet.walletId).catch(showError));
      return el('li', {}, [button]);
    }),
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
  markActiveResult(avatarId);
  renderHeader(report);
  renderAnomalies(report);
  renderTimeline(report);
  elements.slider.max = String(report.version);
  elements.empty.hidden = true;
  elements.wallet.hidden = true;
  elements.avatar.hidden = false;
  renderOwnerWallet(report, null);
  const wallet = report.walletId === null ? Promise.resolve(null) : loadOwnerWallet(report);
  await selectVersion(version ?? report.version, false);
  await wallet;
}

/** @param {string} id an avatar or wallet id */
function markActiveResult(id) {
  for (const button of elements.results.querySelectorAll('button.result')) {
    if (button instanceof HTMLButtonElement) button.classList.toggle('active', (button.dataset.avatarId ?? button.dataset.walletId) === id);
  }
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
  renderAnomalyBox(elements.anomalies, report.anomalies, (anomaly) => selectVersion(anomaly.version).catch(showError));
}

/**
 * @param {HTMLElement} box
 * @param {AnomalyView[]} anomalies
 * @param {(anomaly: AnomalyView) => void} pick what a click on one does
 */
function renderAnomalyBox(box, anomalies, pick) {
  box.hidden = anomalies.length === 0;
  box.replaceChildren(
    el('h2', { text: `${anomalies.length} anomal${anomalies.length === 1 ? 'y' : 'ies'} found by replay` }),
    el(
      'ul',
      {},
      anomalies.map((anomaly) => {
        const item = el('li', { className: `anomaly anomaly-${anomaly.kind}` }, [
          el('span', { className: 'anomaly-kind', text: anomaly.kind.replaceAll('_', ' ') }),
          el('span', { className: 'anomaly-where', text: `v${anomaly.version} ${anomaly.type}` }),
          el('span', { className: 'anomaly-reason', text: anomaly.reason }),
        ]);
        item.dataset.kind = anomaly.kind;
        item.addEventListener('click', () => pick(anomaly));
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
      ...(row.walletLink ? [walletLinkChip(row.walletLink)] : []),
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
  if (row.walletLink) item.dataset.walletVersion = String(row.walletLink.version);
  return item;
}

/**
 * The wallet event about an avatar event (the credits its training reserved, or their settlement):
 * a click shows it in the wallet panel.
 * @param {StreamLink} link
 */
function walletLinkChip(link) {
  const chip = el('button', { className: 'link-chip wallet-link', text: `wallet: ${link.type} v${link.version ?? '?'}`, title: `${link.streamId}: the wallet event about this one` });
  chip.type = 'button';
  chip.addEventListener('click', (event) => {
    event.stopPropagation();
    if (link.version !== null) highlightWalletRows([link.version], true);
  });
  return chip;
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
  // The wallet events about the selected one: its own link, and those that link back to it.
  const avatarId = view.report?.avatarId;
  const row = view.report?.timeline.find(/** @returns {r is EventRow} */ (r) => r.kind === 'event' && r.version === version);
  const linked = new Set(row?.walletLink?.version != null ? [row.walletLink.version] : []);
  for (const walletRow of view.ownerWallet?.timeline ?? []) {
    if (walletRow.link?.streamId === avatarId && walletRow.link?.version === version) linked.add(walletRow.version);
  }
  highlightWalletRows([...linked], false);
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

// --- Wallets -----------------------------------------------------------------------------------


/** @param {WalletEventRow} row */
function movementClass(row) {
  if (row.type === 'CreditsGranted' || row.type === 'TopUpPaid') return 'credits in';
  if (row.type === 'ReservationCaptured' || row.type === 'StarsRefunded') return 'credits out';
  return 'credits held';
}

/**
 * @param {ReservationPurposeView} purpose
 * @param {string | null} avatarId the avatar the page is about, if any
 */
function purposeText(purpose, avatarId) {
  if (purpose.kind === 'generation') return `generation ${purpose.generationId.slice(0, 8)}`;
  const whose = purpose.avatarId === avatarId ? 'this avatar' : `avatar ${purpose.avatarId.slice(0, 8)}`;
  return `training ${purpose.attemptId} of ${whose}`;
}

/**
 * What a wallet event pays for, as a link to that event when the inspector can show it.
 * @param {ReservationPurposeView} purpose
 * @param {StreamLink | null} link
 * @param {string | null} avatarId
 */
function purposeLink(purpose, link, avatarId) {
  const label = purposeText(purpose, avatarId);
  if (link === null || link.streamKind !== 'avatar' || link.version === null) {
    return el('span', { className: 'purpose', text: label, title: link?.streamId ?? '' });
  }
  const version = link.version;
  const button = el('button', { className: 'link-chip purpose', text: `${label} → ${link.type} v${version}`, title: `${link.streamId} v${version}` });
  button.type = 'button';
  button.dataset.avatarId = link.streamId;
  button.dataset.version = String(version);
  button.addEventListener('click', (event) => {
    event.stopPropagation();
    followAvatarLink(link.streamId, version);
  });
  return button;
}

/**
 * Shows an avatar's event: selects it when that avatar's page is open, else opens the avatar there.
 * @param {string} avatarId
 * @param {number} version
 */
function followAvatarLink(avatarId, version) {
  if (avatarId === view.report?.avatarId && !elements.avatar.hidden) selectVersion(version).catch(showError);
  else openAvatar(avatarId, version).catch(showError);
}

/**
 * @param {WalletEventRow} row
 * @param {string | null} avatarId
 */
function walletDetails(row, avatarId) {
  /** @type {(Node | string)[]} */
  const parts = [];
  const { data } = row;
  if (typeof data.grantId === 'string') parts.push(el('span', { className: 'field' }, [el('span', { className: 'field-key', text: 'grant' }), ` ${data.grantId}`]));
  if (typeof data.telegramPaymentChargeId === 'string') {
    const stars = typeof data.stars === 'number' ? ` · ${data.stars} stars` : '';
    parts.push(el('span', { className: 'field' }, [el('span', { className: 'field-key', text: 'charge' }), ` ${data.telegramPaymentChargeId}${stars}`]));
  }
  if (row.purpose !== null) parts.push(purposeLink(row.purpose, row.link, avatarId));
  else if (row.reservationId !== null) parts.push(el('span', { className: 'field' }, [el('span', { className: 'field-key', text: 'reservation' }), ` ${row.reservationId}`]));
  if (row.type === 'ReservationReleased' && typeof data.reason === 'string') parts.push(el('span', { className: 'hint', text: data.reason }));
  return parts;
}

/**
 * @param {WalletEventRow} row
 * @param {string | null} avatarId the avatar whose page shows it: its own rows are marked
 */
function walletItem(row, avatarId) {
  const ours = row.purpose !== null && avatarId !== null && row.purpose.avatarId === avatarId;
  const body = el('div', { className: 'row-body' }, [
    el('div', { className: 'row-line' }, [
      el('span', { className: 'event-type', text: row.type }),
      el('span', { className: movementClass(row), text: row.moved }),
      el('span', { className: 'balance-after', text: `balance ${row.balance} · reserved ${row.reserved}`, title: `${row.available} available after this event` }),
    ]),
    el('div', { className: 'row-line secondary' }, [
      el('span', { className: 'actor', text: row.actor }),
      ...walletDetails(row, avatarId),
      details('data', JSON.stringify(row.data, null, 2)),
    ]),
  ]);
  if (row.reason !== null) body.append(el('div', { className: 'reason', text: row.reason }));
  const item = el('li', { className: `row wallet-event outcome-${row.outcome}${ours ? ' this-avatar' : ''}` }, [
    el('span', { className: 'version-pill', text: `v${row.version}` }),
    el('time', { text: timeOf(row.at), title: row.at }),
    body,
    el('span', { className: 'outcome', text: row.outcome }),
  ]);
  item.dataset.version = String(row.version);
  item.dataset.type = row.type;
  if (row.reservationId !== null) item.dataset.reservationId = row.reservationId;
  if (row.link?.version != null) item.dataset.linkVersion = String(row.link.version);
  return item;
}

/**
 * @param {HTMLOListElement} list
 * @param {WalletEventRow[]} rows
 * @param {string | null} avatarId
 */
function fillWalletTimeline(list, rows, avatarId) {
  /** @type {HTMLElement[]} */
  const items = [];
  let day = '';
  for (const row of rows) {
    if (dayOf(row.at) !== day) {
      day = dayOf(row.at);
      items.push(el('li', { className: 'day', text: day }));
    }
    const item = walletItem(row, avatarId);
    const link = row.link;
    if (link !== null && link.streamKind === 'avatar' && link.version !== null) {
      const version = link.version;
      item.tabIndex = 0;
      item.classList.add('follows');
      item.addEventListener('click', () => followAvatarLink(link.streamId, version));
      item.addEventListener('keydown', (event) => {
        if (event.key === 'Enter' || event.key === ' ') {
          event.preventDefault();
          followAvatarLink(link.streamId, version);
        }
      });
    }
    items.push(item);
  }
  list.replaceChildren(...items);
}

/** @param {WalletReport} wallet */
function walletSums(wallet) {
  return `${wallet.walletId} · balance ${wallet.balance} · reserved ${wallet.reserved} · available ${wallet.available}`;
}

/** @param {AvatarReport} report */
async function loadOwnerWallet(report) {
  const walletId = report.walletId;
  if (walletId === null) return;
  try {
    /** @type {WalletReport} */
    const wallet = await api(`api/wallets/${encodeURIComponent(walletId)}`);
    if (view.report !== report) return;
    renderOwnerWallet(report, wallet);
    markTimeline(view.version, false);
  } catch (error) {
    if (view.report !== report) return;
    elements.walletPanelNote.textContent = `The wallet could not be loaded: ${error instanceof Error ? error.message : String(error)}`;
    elements.walletPanelNote.hidden = false;
  }
}

/**
 * The panel beside the avatar's timeline: its owner's wallet, the rows about this avatar marked.
 * @param {AvatarReport} report
 * @param {WalletReport | null} wallet null while it loads, or when the owner has none
 */
function renderOwnerWallet(report, wallet) {
  view.ownerWallet = wallet;
  elements.walletOpen.hidden = wallet === null;
  elements.avatarWallet.replaceChildren();
  elements.avatarWallet.hidden = wallet === null;
  if (wallet === null) {
    elements.walletPanelSummary.textContent = '';
    elements.walletPanelNote.textContent =
      report.walletId === null ? `The owner${report.ownerId === null ? '' : ` (${report.ownerId})`} has no wallet.` : 'Loading the wallet…';
    elements.walletPanelNote.hidden = false;
    return;
  }
  const anomalies = wallet.anomalies.length;
  elements.walletPanelSummary.textContent = `${walletSums(wallet)}${anomalies > 0 ? ` · ${anomalies} anomal${anomalies === 1 ? 'y' : 'ies'}` : ''}`;
  elements.walletPanelSummary.classList.toggle('has-anomalies', anomalies > 0);
  elements.walletPanelNote.hidden = true;
  fillWalletTimeline(elements.avatarWallet, wallet.timeline, report.avatarId);
}

/**
 * Marks the avatar panel's wallet rows at these versions (and only them).
 * @param {number[]} versions
 * @param {boolean} reveal scroll the first into view
 */
function highlightWalletRows(versions, reveal) {
  const wanted = new Set(versions.map(String));
  /** @type {HTMLElement | null} */
  let first = null;
  for (const item of elements.avatarWallet.querySelectorAll('li.row')) {
    if (!(item instanceof HTMLElement)) continue;
    const on = wanted.has(item.dataset.version ?? '');
    item.classList.toggle('linked', on);
    if (on && first === null) first = item;
  }
  if (reveal && first !== null) first.scrollIntoView({ block: 'nearest' });
}

/** @param {string} walletId */
async function openWallet(walletId) {
  view.opening = walletId;
  /** @type {WalletReport} */
  const wallet = await api(`api/wallets/${encodeURIComponent(walletId)}`);
  if (view.opening !== walletId) return;
  view.wallet = wallet;
  view.stateRequest?.abort();
  markActiveResult(walletId);
  renderWallet(wallet);
  elements.empty.hidden = true;
  elements.avatar.hidden = true;
  elements.wallet.hidden = false;
  history.replaceState(null, '', `${location.search}#wallet=${encodeURIComponent(walletId)}`);
}

/**
 * @param {string} label
 * @param {string} value
 * @param {string} [hint]
 */
function total(label, value, hint) {
  return el('div', { className: 'total' }, [el('dt', { text: label }), el('dd', { text: value }), ...(hint ? [el('span', { className: 'hint', text: hint })] : [])]);
}

/** @param {WalletReport} wallet */
function renderWallet(wallet) {
  elements.walletTitle.textContent = `Wallet of user ${wallet.ownerId}`;
  const model = wallet.readModel;
  const facts = [
    el('code', { text: wallet.walletId }),
    `${wallet.version} events`,
    model ? `read model v${model.version}, updated ${dateTime(model.updatedAt)}` : 'no read-model row',
  ];
  elements.walletMeta.replaceChildren(...facts.flatMap((f, i) => (i === 0 ? [f] : [el('span', { className: 'dot', text: '·' }), f])));
  const back = view.report;
  elements.walletBack.hidden = back === null;
  elements.walletBack.textContent = back === null ? '' : `← ${back.readModel?.name ?? back.avatarId}`;

  elements.walletTotals.replaceChildren(
    total('Balance', String(wallet.balance), model && model.balance !== wallet.balance ? `read model: ${model.balance}` : undefined),
    total('Reserved', String(wallet.reserved), model && model.reserved !== wallet.reserved ? `read model: ${model.reserved}` : undefined),
    total('Available', String(wallet.available)),
  );
  renderAnomalyBox(elements.walletAnomalies, wallet.anomalies, (anomaly) => revealWalletRow(anomaly.version));
  fillWalletTimeline(elements.walletTimeline, wallet.timeline, null);
  elements.walletCount.textContent = `${wallet.version} events`;

  elements.walletReservationCount.textContent = String(wallet.reservations.length);
  elements.walletReservations.replaceChildren(
    ...(wallet.reservations.length === 0
      ? [el('li', { className: 'hint', text: 'None: nothing is reserved.' })]
      : wallet.reservations.map((r) => {
          const item = el('li', { className: 'reservation' }, [
            el('span', { className: 'credits held', text: `${r.credits} held` }),
            purposeLink(r.purpose, r.link, null),
            el('span', { className: 'hint', text: r.reservedAtVersion === null ? '' : `since v${r.reservedAtVersion}` }),
          ]);
          item.dataset.reservationId = r.reservationId;
          return item;
        })),
  );
  elements.walletTopUpCount.textContent = String(wallet.topUps.length);
  elements.walletTopUps.replaceChildren(
    ...(wallet.topUps.length === 0
      ? [el('li', { className: 'hint', text: 'None.' })]
      : wallet.topUps.map((t) =>
          el('li', { className: `top-up${t.refunded ? ' refunded' : ''}` }, [
            el('span', { className: 'credits in', text: `+${t.credits}` }),
            `${t.packageId} · ${t.stars} stars`,
            el('code', { className: 'message-id', text: t.telegramPaymentChargeId }),
            ...(t.refunded ? [el('span', { className: 'chip refunded-chip', text: 'refunded' })] : []),
          ]),
        )),
  );
}

/** @param {number} version */
function revealWalletRow(version) {
  for (const item of elements.walletTimeline.querySelectorAll('li.row')) {
    if (!(item instanceof HTMLElement)) continue;
    const on = item.dataset.version === String(version);
    item.classList.toggle('selected', on);
    if (on) item.scrollIntoView({ block: 'nearest' });
  }
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
elements.walletOpen.addEventListener('click', () => {
  const walletId = view.ownerWallet?.walletId;
  if (walletId) openWallet(walletId).catch(showError);
});
elements.walletBack.addEventListener('click', () => {
  const report = view.report;
  if (report) openAvatar(report.avatarId, view.version || undefined).catch(showError);
});

/** Opens the avatar (`#avatar=<id>&v=<version>`) or the wallet (`#wallet=<id>`) a link names, if any. */
function openFromHash() {
  const params = new URLSearchParams(location.hash.slice(1));
  const walletId = params.get('wallet');
  if (walletId !== null && walletId !== '') {
    openWallet(walletId).catch(showError);
    return;
  }
  const avatarId = params.get('avatar');
  if (avatarId === null || avatarId === '') return;
  const version = Number(params.get('v'));
  openAvatar(avatarId, Number.isInteger(version) && version > 0 ? version : undefined).catch(showError);
}

// The page itself moves with replaceState (no event); an edited or followed link fires this.
window.addEventListener('hashchange', openFromHash);
search('').catch(showError);
openFromHash();
