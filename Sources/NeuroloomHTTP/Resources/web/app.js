// Neuroloom dashboard. Plain ES module, no build step, no external requests; runs under
// `Content-Security-Policy: default-src 'self'` (no inline script, no inline style).
//
// Rules kept throughout: user content (memories, metadata, key names, server messages) reaches the
// page only as text (textContent / text nodes, never HTML); the API key lives in sessionStorage only
// and goes only to this page's own origin, through the same client module Node programs use.
//
// The pure helpers are exported so that Node tests can import this file: nothing touches the DOM
// until start() runs, which happens only in a page that has the dashboard's markup.

import { Neuroloom, NeuroloomError, keyEnvironment, keyPreview, scopeAllows } from './sdk/neuroloom.js';

/** sessionStorage entry holding the API key. */
export const STORAGE_KEY = 'neuroloom.apiKey';
export const SEARCH_MODES = ['hybrid', 'semantic', 'keyword'];
/** A well-formed memory id that no memory can have (ULID time and randomness all zero). */
export const PROBE_MEMORY_ID = 'mem_' + '0'.repeat(26);

// ---------------------------------------------------------------------------------------------
// Pure helpers (exported for tests)
// ---------------------------------------------------------------------------------------------

/** A problem with what was typed into a field, found before anything is sent. */
export class InputError extends Error {
  /** @param {string} field @param {string} message */
  constructor(field, message) {
    super(message);
    this.name = 'InputError';
    this.field = field;
  }
}

/**
 * Parses a textarea that must hold a JSON object. Blank text gives `undefined` when `optional`,
 * else `{}` when `blankAsEmpty`, else an error.
 * @param {string} text
 * @param {string} field  named in error messages
 * @param {{ optional?: boolean, blankAsEmpty?: boolean }} [options]
 * @returns {object | undefined}
 */
export function parseJSONObject(text, field, { optional = false, blankAsEmpty = false } = {}) {
  const trimmed = String(text ?? '').trim();
  if (trimmed === '') {
    if (optional) return undefined;
    if (blankAsEmpty) return {};
    throw new InputError(field, `${field} is required`);
  }
  let value;
  try {
    value = JSON.parse(trimmed);
  } catch (error) {
    throw new InputError(field, `${field} is not valid JSON: ${error.message}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new InputError(field, `${field} must be a JSON object ({ … })`);
  }
  return value;
}

/**
 * Parses the topK field: a whole number 1–100.
 * @param {string} text
 * @returns {number}
 */
export function parseTopK(text) {
  const trimmed = String(text ?? '').trim();
  if (!/^\d+$/.test(trimmed) || Number(trimmed) < 1 || Number(trimmed) > 100) {
    throw new InputError('topK', 'topK must be a whole number from 1 to 100');
  }
  return Number(trimmed);
}

/**
 * Turns an `<input type="datetime-local">` value into an ISO 8601 UTC time, or `undefined` when blank.
 * @param {string} value  e.g. `2027-01-01T09:30`, read as local time
 * @param {number} [now]  milliseconds since the epoch
 * @returns {string | undefined}
 */
export function parseExpiry(value, now = Date.now()) {
  const trimmed = String(value ?? '').trim();
  if (trimmed === '') return undefined;
  const time = new Date(trimmed);
  if (Number.isNaN(time.getTime())) throw new InputError('expiresAt', 'The expiry is not a valid date and time');
  if (time.getTime() <= now) throw new InputError('expiresAt', 'The expiry must be in the future');
  return time.toISOString();
}

/**
 * A readable sentence for any error the dashboard can meet.
 * @param {unknown} error
 * @param {number} [now]  milliseconds since the epoch (for "retry at")
 * @returns {string}
 */
export function describeError(error, now = Date.now()) {
  if (error instanceof InputError) return error.message;
  if (!(error instanceof NeuroloomError)) {
    return `Unexpected error: ${error instanceof Error ? error.message : String(error)}`;
  }
  const request = error.requestId ? ` (request ${error.requestId})` : '';
  switch (error.status) {
    case 0:
      return 'Cannot reach the Neuroloom server. Check that it is running, then try again.';
    case 401:
      return 'The API key was not accepted: it may be mistyped, revoked or expired. Log in again.';
    case 403:
      return `${error.message} Use a key with a wider scope.${request}`;
    case 404:
      return `Not found: it may have been deleted.${request}`;
    case 429:
    case 503: {
      const seconds = error.retryAfter ?? 1;
      const at = new Date(now + seconds * 1000).toLocaleTimeString();
      const what = error.status === 429 ? 'Too many requests for this key' : 'The server is busy';
      return `${what}: retry in ${seconds} s (after ${at}).${request}`;
    }
    default:
      return `${error.message}${request}`;
  }
}

/**
 * The calling key's scope: the workspace's `scope` member when the server reports it, otherwise
 * found by probing with requests that change nothing:
 * `GET /v1/keys` answers only admin keys; `PATCH` of a memory id that cannot exist with an empty
 * body is refused by scope (403) for read keys, and as an invalid body (400, before storage is
 * touched) for write keys.
 * @param {Neuroloom} client
 * @param {{ scope?: string } | undefined} workspace  the result of `workspace.get()`
 * @returns {Promise<'read' | 'write' | 'admin'>}
 */
export async function detectScope(client, workspace) {
  if (workspace && ['read', 'write', 'admin'].includes(/** @type {string} */ (workspace.scope))) {
    return /** @type {'read' | 'write' | 'admin'} */ (workspace.scope);
  }
  try {
    await client.keys.list();
    return 'admin';
  } catch (error) {
    if (!(error instanceof NeuroloomError) || error.status !== 403) throw error;
  }
  try {
    await client.request('PATCH', `/v1/memories/${PROBE_MEMORY_ID}`, { body: {} });
    return 'write';
  } catch (error) {
    if (error instanceof NeuroloomError && error.status === 403) return 'read';
    if (error instanceof NeuroloomError && (error.status === 400 || error.status === 404)) return 'write';
    throw error;
  }
}

/**
 * A timestamp for display (local time), or a dash.
 * @param {string | null | undefined} iso
 * @returns {string}
 */
export function formatTime(iso) {
  if (!iso) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? String(iso) : date.toLocaleString();
}

/**
 * Metadata as one short line of text.
 * @param {unknown} metadata
 * @param {number} [max]
 * @returns {string}
 */
export function metadataSummary(metadata, max = 120) {
  if (!metadata || typeof metadata !== 'object' || Object.keys(metadata).length === 0) return '';
  const text = JSON.stringify(metadata);
  return text.length > max ? text.slice(0, max - 1) + '…' : text;
}

/**
 * The environment badge: SANDBOX for test keys.
 * @param {string | undefined} environment
 * @returns {{ text: string, className: string }}
 */
export function environmentBadge(environment) {
  if (environment === 'test') return { text: 'SANDBOX', className: 'badge badge-sandbox' };
  if (environment === 'live') return { text: 'LIVE', className: 'badge badge-live' };
  return { text: String(environment ?? '?').toUpperCase(), className: 'badge' };
}

// ---------------------------------------------------------------------------------------------
// DOM building: text only
// ---------------------------------------------------------------------------------------------

/**
 * Creates an element. Children that are strings or numbers become text nodes, so no argument can
 * ever be read as HTML.
 * @param {string} tag
 * @param {{ className?: string, text?: string, title?: string, type?: string, hidden?: boolean,
 *           disabled?: boolean, dataset?: Record<string, string>, on?: Record<string, EventListener> } | null} [props]
 * @param {...(Node | string | number | null | undefined | false)} children
 * @returns {HTMLElement}
 */
export function h(tag, props, ...children) {
  const element = document.createElement(tag);
  if (props) {
    if (props.className) element.className = props.className;
    if (props.title !== undefined) element.setAttribute('title', String(props.title));
    if (props.type !== undefined) element.setAttribute('type', props.type);
    if (props.hidden) element.hidden = true;
    if (props.disabled) element.disabled = true;
    if (props.dataset) for (const [key, value] of Object.entries(props.dataset)) element.dataset[key] = String(value);
    if (props.on) for (const [event, listener] of Object.entries(props.on)) element.addEventListener(event, listener);
    if (props.text !== undefined) element.textContent = String(props.text);
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    element.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)));
  }
  return element;
}

/** Sets an element's text, or hides it when the text is empty. */
function setText(element, text) {
  element.textContent = text ?? '';
}

/**
 * One memory (or search hit) in the list.
 * @param {{ id: string, content: string, metadata?: object, createdAt?: string, score?: number }} memory
 * @param {{ onOpen?: (id: string) => void }} [handlers]
 * @returns {HTMLElement}
 */
export function renderMemoryItem(memory, { onOpen } = {}) {
  const open = (event) => { event.preventDefault(); onOpen?.(memory.id); };
  const summary = metadataSummary(memory.metadata);
  return h('li', { className: 'memory-item', dataset: { id: memory.id } },
    h('button', { type: 'button', className: 'memory-open', title: 'View this memory', on: { click: open } },
      h('span', { className: 'memory-content', text: memory.content })),
    h('div', { className: 'memory-meta' },
      typeof memory.score === 'number' ? h('span', { className: 'score', text: `score ${memory.score.toFixed(3)}` }) : null,
      h('span', { className: 'muted', text: formatTime(memory.createdAt), title: memory.createdAt ?? '' }),
      h('span', { className: 'mono muted', text: memory.id }),
      summary ? h('span', { className: 'mono metadata-summary', text: summary }) : null));
}

/**
 * One API key as a table row.
 * @param {{ id: string, name: string, scope: string, environment: string, preview: string,
 *           createdAt: string, lastUsedAt?: string | null, expiresAt?: string | null }} key
 * @param {{ current?: boolean, onRevoke?: (key: object) => void }} [options]
 * @returns {HTMLElement}
 */
export function renderKeyRow(key, { current = false, onRevoke } = {}) {
  const badge = environmentBadge(key.environment);
  return h('tr', { dataset: { id: key.id } },
    h('td', null, key.name, current ? h('span', { className: 'badge badge-current', text: 'this key' }) : null),
    h('td', { text: key.scope }),
    h('td', null, h('span', { className: badge.className, text: badge.text })),
    h('td', { className: 'mono', text: key.preview }),
    h('td', { text: formatTime(key.createdAt), title: key.createdAt }),
    h('td', { text: key.lastUsedAt ? formatTime(key.lastUsedAt) : 'never', title: key.lastUsedAt ?? '' }),
    h('td', { text: key.expiresAt ? formatTime(key.expiresAt) : 'never', title: key.expiresAt ?? '' }),
    h('td', null, h('button', { type: 'button', className: 'danger small', text: 'Revoke', on: { click: () => onRevoke?.(key) } })));
}

// ---------------------------------------------------------------------------------------------
// The page
// ---------------------------------------------------------------------------------------------

/** Session state: everything is dropped on log out. */
const state = {
  /** @type {Neuroloom | null} */ client: null,
  apiKey: '',
  /** @type {any} */ workspace: null,
  /** @type {'read' | 'write' | 'admin' | null} */ scope: null,
  list: { cursor: /** @type {string | null} */ (null), previous: /** @type {(string | null)[]} */ ([]), next: /** @type {string | null} */ (null), limit: 20 },
  /** @type {{ query: string, mode: string, topK: number, filters?: object } | null} */ search: null,
  /** @type {any} */ memory: null,
};

const $ = (id) => /** @type {any} */ (document.getElementById(id));

function storage() {
  try { return globalThis.sessionStorage ?? null; } catch { return null; }
}

export function loadStoredKey() {
  return storage()?.getItem(STORAGE_KEY) ?? '';
}

export function storeKey(apiKey) {
  storage()?.setItem(STORAGE_KEY, apiKey);
}

export function forgetStoredKey() {
  storage()?.removeItem(STORAGE_KEY);
}

// --- notices and field errors ---

let noticeTimer = 0;

function showNotice(message, kind = 'error') {
  clearTimeout(noticeTimer);
  const notice = $('notice');
  notice.className = `notice notice-${kind}`;
  setText($('notice-text'), message);
  notice.hidden = false;
  if (kind === 'info') noticeTimer = setTimeout(hideNotice, 4000);
}

function hideNotice() {
  $('notice').hidden = true;
  setText($('notice-text'), '');
}

function showFieldError(id, message) {
  const element = $(id);
  setText(element, message);
  element.hidden = !message;
}

/**
 * Reports an error: a 401 ends the session; otherwise the message goes to the field's error line
 * when one is given, else to the notice bar.
 */
function report(error, fieldErrorId) {
  if (error instanceof NeuroloomError && error.status === 401) {
    logout(describeError(error));
    return;
  }
  if (!(error instanceof NeuroloomError) && !(error instanceof InputError)) console.error(error);
  const message = describeError(error);
  if (fieldErrorId) showFieldError(fieldErrorId, message);
  else showNotice(message);
}

/** Runs an action with its button disabled; errors are reported. Returns whether it succeeded. */
async function busy(button, action, fieldErrorId) {
  if (fieldErrorId) showFieldError(fieldErrorId, '');
  if (button) button.disabled = true;
  try {
    await action();
    return true;
  } catch (error) {
    report(error, fieldErrorId);
    return false;
  } finally {
    if (button) button.disabled = false;
  }
}

function confirmAction(message, confirmLabel) {
  const dialog = $('confirm-dialog');
  if (typeof dialog.showModal !== 'function') return Promise.resolve(window.confirm(message));
  setText($('confirm-message'), message);
  setText($('confirm-ok'), confirmLabel);
  return new Promise((resolve) => {
    const finish = (answer) => {
      $('confirm-ok').removeEventListener('click', yes);
      $('confirm-cancel').removeEventListener('click', no);
      dialog.removeEventListener('cancel', no);
      if (dialog.open) dialog.close();
      resolve(answer);
    };
    const yes = () => finish(true);
    const no = () => finish(false);
    $('confirm-ok').addEventListener('click', yes);
    $('confirm-cancel').addEventListener('click', no);
    dialog.addEventListener('cancel', no);
    dialog.showModal();
    $('confirm-cancel').focus();
  });
}

// --- views and routing ---

const VIEWS = ['login-view', 'memories-view', 'memory-view', 'keys-view'];

function showView(id) {
  for (const view of VIEWS) $(view).hidden = view !== id;
  $('nav-memories').classList.toggle('active', id === 'memories-view' || id === 'memory-view');
  $('nav-keys').classList.toggle('active', id === 'keys-view');
}

/** Hides every control whose `data-needs` scope the key lacks. */
function applyScope() {
  for (const element of document.querySelectorAll('[data-needs]')) {
    element.hidden = !scopeAllows(state.scope, element.dataset.needs);
  }
}

function renderHeader() {
  const workspace = state.workspace;
  const environment = workspace?.environment ?? keyEnvironment(state.apiKey);
  setText($('workspace-name'), workspace?.name ?? '');
  const badge = environmentBadge(environment);
  $('environment-badge').className = badge.className;
  setText($('environment-badge'), badge.text);
  $('environment-badge').setAttribute('title', environment === 'test'
    ? 'Sandbox: this key reads and writes the workspace\'s test environment, never live data.'
    : 'Live: this key reads and writes production data.');
  setText($('scope-badge'), `${state.scope} key`);
  setText($('memory-count'), typeof workspace?.memoryCount === 'number'
    ? `${workspace.memoryCount} ${workspace.memoryCount === 1 ? 'memory' : 'memories'}` : '');
  document.body.classList.toggle('sandbox', environment === 'test');
  document.title = workspace ? `${workspace.name} · ${badge.text} · Neuroloom` : 'Neuroloom';
}

async function refreshWorkspace() {
  try {
    state.workspace = await state.client.workspace.get();
    renderHeader();
  } catch (error) {
    report(error);
  }
}

function route() {
  if (!state.client) {
    showView('login-view');
    $('login-key').focus();
    return;
  }
  const hash = location.hash || '#/memories';
  const memoryMatch = /^#\/memories\/([^/]+)$/.exec(hash);
  if (memoryMatch) {
    openMemory(decodeURIComponent(memoryMatch[1]));
  } else if (hash === '#/settings/keys') {
    if (!scopeAllows(state.scope, 'admin')) {
      showNotice('API keys are managed with an admin key.');
      location.hash = '#/memories';
      return;
    }
    showView('keys-view');
    setText($('new-key-environment'), state.workspace?.environment ?? keyEnvironment(state.apiKey) ?? '');
    loadKeys();
  } else {
    showView('memories-view');
    if (hash !== '#/memories') history.replaceState(null, '', '#/memories');
    reloadList();
  }
}

// --- session ---

/**
 * Checks a key against the server, learns its workspace and scope, and opens the dashboard.
 * The key is stored (sessionStorage) only once the server accepted it.
 */
async function login(apiKey) {
  const key = apiKey.trim();
  if (!keyEnvironment(key)) {
    throw new InputError('apiKey', 'That is not a Neuroloom API key: keys start with nlk_live_ or nlk_test_.');
  }
  const client = new Neuroloom({ apiKey: key, baseUrl: location.origin });
  const workspace = await client.workspace.get();
  const scope = await detectScope(client, workspace);
  Object.assign(state, { client, apiKey: key, workspace, scope });
  state.list = { cursor: null, previous: [], next: null, limit: Number($('page-size').value) || 20 };
  state.search = null;
  storeKey(key);
  $('login-key').value = '';
  showFieldError('login-error', '');
  $('session-bar').hidden = false;
  renderHeader();
  applyScope();
  route();
}

/** Forgets the key and everything shown with it. */
function logout(message) {
  forgetStoredKey();
  Object.assign(state, { client: null, apiKey: '', workspace: null, scope: null, search: null, memory: null });
  state.list = { cursor: null, previous: [], next: null, limit: 20 };
  $('session-bar').hidden = true;
  $('memory-list').replaceChildren();
  $('keys-body').replaceChildren();
  clearCreatedKey();
  for (const id of ['detail-id', 'detail-created', 'detail-updated', 'detail-content', 'detail-metadata', 'workspace-name', 'memory-count']) setText($(id), '');
  for (const id of ['edit-content', 'edit-metadata', 'create-content', 'create-metadata', 'search-query', 'search-filters', 'new-key-name', 'new-key-expires']) $(id).value = '';
  $('search-mode').value = 'hybrid';
  $('search-topk').value = '10';
  $('page-size').value = '20';
  $('new-key-scope').value = 'write';
  $('create-panel').open = false;
  $('new-key-form').hidden = true;
  for (const id of ['search-error', 'create-error', 'edit-error', 'new-key-error']) showFieldError(id, '');
  document.body.classList.remove('sandbox');
  document.title = 'Neuroloom';
  hideNotice();
  showFieldError('login-error', message ?? '');
  if (location.hash) history.replaceState(null, '', location.pathname);
  showView('login-view');
  $('login-key').focus();
}

// --- memories ---

function openMemoryFromList(id) {
  location.hash = `#/memories/${encodeURIComponent(id)}`;
}

function renderList(items, { emptyText }) {
  $('memory-list').replaceChildren(...items.map((item) => renderMemoryItem(item, { onOpen: openMemoryFromList })));
  setText($('list-empty'), emptyText);
  $('list-empty').hidden = items.length > 0;
}

async function reloadList() {
  if (!state.search) return loadPage(state.list.cursor);
  try {
    await runSearch(state.search);
  } catch (error) {
    report(error, 'search-error');
  }
}

/**
 * Shows the page that starts at `cursor`. `direction` says how the page stack moves once it has
 * loaded: 'older' remembers the current page, 'newer' goes back one.
 */
async function loadPage(cursor, direction) {
  const client = state.client;
  $('page-newer').disabled = true;
  $('page-older').disabled = true;
  try {
    const page = await client.memories.list({ limit: state.list.limit, cursor });
    if (client !== state.client) return;
    if (direction === 'older') state.list.previous.push(state.list.cursor);
    if (direction === 'newer') state.list.previous.pop();
    state.list.cursor = cursor;
    state.list.next = page.nextCursor ?? null;
    setText($('list-title'), 'Memories');
    setText($('list-info'), 'newest first');
    renderList(page.memories, { emptyText: cursor ? 'No more memories.' : 'No memories yet.' });
    $('pager').hidden = page.memories.length === 0 && state.list.previous.length === 0;
    setText($('page-number'), `page ${state.list.previous.length + 1}`);
    $('search-clear').hidden = true;
  } catch (error) {
    report(error);
  } finally {
    if (client === state.client) {
      $('page-newer').disabled = state.list.previous.length === 0;
      $('page-older').disabled = !state.list.next;
    }
  }
}

async function runSearch(search) {
  const client = state.client;
  const response = await client.memories.search(search);
  if (client !== state.client) return;
  state.search = search;
  setText($('list-title'), 'Search results');
  setText($('list-info'), `${response.results.length} for “${search.query}” (${search.mode}, top ${search.topK}${search.filters ? ', filtered' : ''})`);
  renderList(response.results, { emptyText: 'Nothing matched.' });
  $('pager').hidden = true;
  $('search-clear').hidden = false;
}

function readSearchForm() {
  const query = $('search-query').value;
  if (!query.trim()) throw new InputError('query', 'Type something to search for.');
  const mode = $('search-mode').value;
  if (!SEARCH_MODES.includes(mode)) throw new InputError('mode', 'Choose hybrid, semantic or keyword.');
  const topK = parseTopK($('search-topk').value);
  const filters = parseJSONObject($('search-filters').value, 'filters', { optional: true });
  return filters === undefined ? { query, mode, topK } : { query, mode, topK, filters };
}

async function openMemory(id) {
  showView('memory-view');
  $('edit-form').hidden = true;
  $('detail-read').hidden = false;
  for (const field of ['detail-id', 'detail-created', 'detail-updated', 'detail-content', 'detail-metadata']) setText($(field), '');
  setText($('detail-id'), id);
  state.memory = null;
  const client = state.client;
  try {
    const memory = await client.memories.get(id);
    if (client !== state.client) return;
    renderMemory(memory);
  } catch (error) {
    report(error);
  }
}

function renderMemory(memory) {
  state.memory = memory;
  setText($('detail-id'), memory.id);
  setText($('detail-created'), formatTime(memory.createdAt));
  setText($('detail-updated'), formatTime(memory.updatedAt));
  setText($('detail-content'), memory.content);
  setText($('detail-metadata'), JSON.stringify(memory.metadata ?? {}, null, 2));
}

// --- keys ---

async function loadKeys() {
  const client = state.client;
  try {
    const { keys } = await client.keys.list();
    if (client !== state.client) return;
    const mine = keyPreview(state.apiKey);
    $('keys-body').replaceChildren(...keys.map((key) => renderKeyRow(key, { current: key.preview === mine, onRevoke: revokeKey })));
    setText($('keys-info'), `${keys.length} active ${keys.length === 1 ? 'key' : 'keys'} in this environment`);
  } catch (error) {
    report(error);
  }
}

async function revokeKey(key) {
  const own = key.preview === keyPreview(state.apiKey);
  const question = own
    ? `Revoke “${key.name}”? This is the key you are logged in with: you will be logged out.`
    : `Revoke “${key.name}” (${key.preview})? Programs using it stop working at once.`;
  if (!(await confirmAction(question, 'Revoke'))) return;
  try {
    await state.client.keys.revoke(key.id);
  } catch (error) {
    report(error);
    return;
  }
  if (own) {
    logout('You revoked the key you were logged in with.');
    return;
  }
  for (const row of $('keys-body').querySelectorAll('tr')) if (row.dataset.id === key.id) row.remove();
  showNotice(`Revoked “${key.name}”.`, 'info');
  loadKeys();
}

function clearCreatedKey() {
  $('created-key-value').value = '';
  setText($('created-key-name'), '');
  setText($('copy-status'), '');
  $('created-key').hidden = true;
}

async function copyCreatedKey() {
  const input = $('created-key-value');
  try {
    await navigator.clipboard.writeText(input.value);
  } catch {
    input.select();
    if (!document.execCommand('copy')) {
      setText($('copy-status'), 'Copy failed: select the key and copy it by hand.');
      return;
    }
  }
  setText($('copy-status'), 'Copied to the clipboard.');
}

// --- wiring ---

function wire() {
  $('login-form').addEventListener('submit', (event) => {
    event.preventDefault();
    busy($('login-button'), () => login($('login-key').value), 'login-error');
  });
  $('logout-button').addEventListener('click', () => logout());
  $('notice-close').addEventListener('click', hideNotice);
  window.addEventListener('hashchange', route);

  // memories list and search
  $('search-form').addEventListener('submit', (event) => {
    event.preventDefault();
    busy($('search-button'), () => runSearch(readSearchForm()), 'search-error');
  });
  $('search-clear').addEventListener('click', () => {
    state.search = null;
    $('search-query').value = '';
    showFieldError('search-error', '');
    loadPage(state.list.cursor);
  });
  $('page-older').addEventListener('click', () => {
    if (!state.list.next) return;
    loadPage(state.list.next, 'older');
  });
  $('page-newer').addEventListener('click', () => {
    if (state.list.previous.length === 0) return;
    loadPage(state.list.previous.at(-1) ?? null, 'newer');
  });
  $('page-size').addEventListener('change', () => {
    state.list = { cursor: null, previous: [], next: null, limit: Number($('page-size').value) || 20 };
    loadPage(null);
  });
  $('create-form').addEventListener('submit', (event) => {
    event.preventDefault();
    busy($('create-button'), async () => {
      const content = $('create-content').value;
      if (!content.trim()) throw new InputError('content', 'Content must not be empty.');
      const metadata = parseJSONObject($('create-metadata').value, 'metadata', { optional: true });
      await state.client.memories.create(metadata === undefined ? { content } : { content, metadata });
      $('create-content').value = '';
      $('create-metadata').value = '';
      showNotice('Memory created.', 'info');
      state.search = null;
      state.list.previous = [];
      await Promise.all([loadPage(null), refreshWorkspace()]);
    }, 'create-error');
  });

  // one memory
  $('edit-button').addEventListener('click', () => {
    if (!state.memory) return;
    $('edit-content').value = state.memory.content;
    $('edit-metadata').value = JSON.stringify(state.memory.metadata ?? {}, null, 2);
    showFieldError('edit-error', '');
    $('detail-read').hidden = true;
    $('edit-form').hidden = false;
    $('edit-content').focus();
  });
  $('cancel-edit').addEventListener('click', () => {
    $('edit-form').hidden = true;
    $('detail-read').hidden = false;
  });
  $('edit-form').addEventListener('submit', (event) => {
    event.preventDefault();
    busy($('save-button'), async () => {
      const content = $('edit-content').value;
      if (!content.trim()) throw new InputError('content', 'Content must not be empty.');
      const metadata = parseJSONObject($('edit-metadata').value, 'metadata', { blankAsEmpty: true });
      const memory = await state.client.memories.update(state.memory.id, { content, metadata });
      renderMemory(memory);
      $('edit-form').hidden = true;
      $('detail-read').hidden = false;
      showNotice('Memory saved.', 'info');
    }, 'edit-error');
  });
  $('delete-button').addEventListener('click', async () => {
    const memory = state.memory;
    if (!memory) return;
    if (!(await confirmAction('Delete this memory? This cannot be undone.', 'Delete'))) return;
    const deleted = await busy($('delete-button'), () => state.client.memories.delete(memory.id));
    if (!deleted) return;
    showNotice('Memory deleted.', 'info');
    refreshWorkspace();
    location.hash = '#/memories';
  });

  // keys
  $('new-key-button').addEventListener('click', () => {
    clearCreatedKey();
    showFieldError('new-key-error', '');
    $('new-key-form').hidden = false;
    $('new-key-name').focus();
  });
  $('cancel-new-key').addEventListener('click', () => { $('new-key-form').hidden = true; });
  $('new-key-form').addEventListener('submit', (event) => {
    event.preventDefault();
    busy($('create-key-button'), async () => {
      const name = $('new-key-name').value.trim();
      if (!name) throw new InputError('name', 'Give the key a name.');
      const expiresAt = parseExpiry($('new-key-expires').value);
      const created = await state.client.keys.create({ name, scope: $('new-key-scope').value, expiresAt });
      $('new-key-form').hidden = true;
      $('new-key-name').value = '';
      $('new-key-expires').value = '';
      setText($('created-key-name'), created.name);
      $('created-key-value').value = created.key;
      setText($('copy-status'), '');
      $('created-key').hidden = false;
      $('created-key-value').select();
      await loadKeys();
    }, 'new-key-error');
  });
  $('copy-key-button').addEventListener('click', copyCreatedKey);
  $('created-key-done').addEventListener('click', clearCreatedKey);
}

async function start() {
  wire();
  const stored = loadStoredKey();
  if (!stored) {
    logout();
    return;
  }
  try {
    await login(stored);
  } catch (error) {
    if (error instanceof NeuroloomError && error.status === 401) logout(describeError(error));
    else {
      // Keep the key: the server may be down or busy for a moment. Show why and offer the form.
      showView('login-view');
      showFieldError('login-error', describeError(error));
      $('login-key').value = '';
    }
  }
}

if (typeof document !== 'undefined' && typeof window !== 'undefined' && document.getElementById('app')) {
  start();
}
