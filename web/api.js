// The HTTP client of the app: the session (access token in memory, refresh token kept so a reload stays signed
// in, rotation shared safely between tabs), the saved copies of what was last shown (read when offline) and the
// outbox of writes made offline (sent in order, each with its own Idempotency-Key).

const USER_KEY = 'kefir.user';
const DEVICE_KEY = 'kefir.deviceId';

/** The server refused a request; `details` are the API's `{field, problem}` items. */
export class ApiError extends Error {
  /** @param {number} status @param {any} body @param {Headers} headers */
  constructor(status, body, headers) {
    super(body?.error ?? `The server answered ${status}`);
    this.status = status;
    this.code = body?.code ?? '';
    this.details = Array.isArray(body?.details) ? body.details : [];
    this.retryAfter = Number(headers.get('retry-after') ?? 0);
  }
}

/** The request never reached the server (offline, connection refused). */
export class OfflineError extends Error {
  constructor() {
    super('You are offline; try again when connected.');
  }
}

/**
 * 'session' (signed in or out), 'connectivity' (detail: online?), 'outbox' (queued writes changed), 'loaded'
 * (detail: {path, data} fetched by load()).
 */
export const events = new EventTarget();
const emit = (/** @type {string} */ type, /** @type {any} */ detail) =>
  events.dispatchEvent(new CustomEvent(type, { detail }));

/** @type {string | null} */
let accessToken = null;
let online = true;
const sessionChannel = new BroadcastChannel('kefir-session');
sessionChannel.onmessage = (message) => {
  if (message.data === 'signed-out') forgetSession();
  if (message.data === 'signed-in') emit('session', true);
};

/** @returns {{userId: string, email: string} | null} */
export function currentUser() {
  return JSON.parse(localStorage.getItem(USER_KEY) ?? 'null');
}

// The refresh token is kept in IndexedDB, not localStorage: Chrome gives each tab's process its own copy of
// localStorage and passes writes on to the others later, so a tab taking the refresh lock just after another tab
// rotated the token could still read the rotated one (and presenting it revokes the session). IndexedDB
// transactions are ordered across tabs: a write committed before the lock is released is what the next reads.
/** @type {Promise<IDBDatabase> | null} */
let tokenDatabase = null;

/** @param {IDBTransactionMode} mode @param {(store: IDBObjectStore) => IDBRequest} action */
async function tokenStore(mode, action) {
  tokenDatabase ??= new Promise((resolve, reject) => {
    const opening = indexedDB.open('kefir', 1);
    opening.onupgradeneeded = () => opening.result.createObjectStore('session');
    opening.onsuccess = () => resolve(opening.result);
    opening.onerror = () => reject(opening.error);
  });
  const transaction = (await tokenDatabase).transaction('session', mode);
  const request = action(transaction.objectStore('session'));
  return new Promise((resolve, reject) => {
    transaction.oncomplete = () => resolve(request.result);
    transaction.onerror = () => reject(transaction.error);
  });
}
const storedRefreshToken = () => tokenStore('readonly', (store) => store.get('refreshToken'));
const storeRefreshToken = (/** @type {string} */ token) => tokenStore('readwrite', (store) => store.put(token, 'refreshToken'));
const forgetRefreshToken = () => tokenStore('readwrite', (store) => store.delete('refreshToken'));

export function isOnline() {
  return online;
}

function setOnline(/** @type {boolean} */ value) {
  if (online === value) return;
  online = value;
  emit('connectivity', value);
}

/** The app's own install id, the deviceId it registers for Web Push. */
export function deviceId() {
  let id = localStorage.getItem(DEVICE_KEY);
  if (!id) localStorage.setItem(DEVICE_KEY, (id = crypto.randomUUID()));
  return id;
}

/** @param {any} tokens  the body of /auth/verify or /auth/refresh */
async function keepTokens(tokens) {
  await storeRefreshToken(tokens.refreshToken);
  accessToken = tokens.accessToken;
  if (tokens.user) localStorage.setItem(USER_KEY, JSON.stringify({ userId: tokens.user.userId, email: tokens.user.email }));
}

/**
 * One HTTP exchange, no retry. Network failures become OfflineError.
 * @param {string} method @param {string} path
 * @param {{body?: any, headers?: Record<string, string>, auth?: boolean, signal?: AbortSignal}} [options]
 */
async function send(method, path, { body, headers = {}, auth = true, signal } = {}) {
  /** @type {RequestInit & {headers: Record<string, string>}} */
  const init = { method, headers: { ...headers }, signal };
  if (body !== undefined) {
    init.headers['content-type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  if (auth && accessToken) init.headers.authorization = `Bearer ${accessToken}`;
  try {
    const response = await fetch(path, init);
    setOnline(true);
    return response;
  } catch (error) {
    if (signal?.aborted) throw error;  // the caller gave up on it: says nothing about the network
    setOnline(false);
    throw new OfflineError();
  }
}

async function errorFrom(/** @type {Response} */ response) {
  const text = await response.text();
  let body = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  return new ApiError(response.status, body, response.headers);
}

/**
 * Gets a new access token with the stored refresh token. Under a lock shared by every tab, and the stored
 * token is read inside it: when another tab has rotated it meanwhile, the new one is used, never the rotated
 * one (presenting that revokes the whole session, as theft).
 * @param {string | null} rejected  the access token the server refused (null: none yet)
 */
async function refresh(rejected) {
  await navigator.locks.request('kefir-refresh', async () => {
    if (accessToken && accessToken !== rejected) return;  // this tab refreshed while we waited
    const stored = await storedRefreshToken();
    if (!stored) {
      await endSession();
      throw new ApiError(401, { error: 'Signed out', code: 'UNAUTHORIZED' }, new Headers());
    }
    const response = await send('POST', '/auth/refresh', { body: { refreshToken: stored }, auth: false });
    if (response.ok) return keepTokens(await response.json());
    const error = await errorFrom(response);
    if (response.status === 401 && (await storedRefreshToken()) === stored) await endSession();
    throw error;
  });
}

/**
 * An authenticated request: a 401 refreshes the tokens once and retries once. Resolves with the response of
 * any 2xx; rejects with ApiError or OfflineError.
 * @param {string} method @param {string} path
 * @param {{body?: any, headers?: Record<string, string>, signal?: AbortSignal}} [options]
 */
export async function request(method, path, options = {}) {
  if (!accessToken) await refresh(null);
  const used = accessToken;
  let response = await send(method, path, options);
  if (response.status === 401) {
    await refresh(used);
    response = await send(method, path, options);
  }
  if (!response.ok) throw await errorFrom(response);
  return response;
}

/** The same, for JSON: resolves with the parsed body (null for 204). */
export async function json(/** @type {string} */ method, /** @type {string} */ path, options = {}) {
  const response = await request(method, path, options);
  // An unread body, even an empty one, is reported as an aborted request.
  return response.status === 204 ? void (await response.text()) ?? null : response.json();
}

/** A request that needs no token (sign-in). */
export async function publicJson(/** @type {string} */ method, /** @type {string} */ path, /** @type {any} */ body) {
  const response = await send(method, path, { body, auth: false });
  if (!response.ok) throw await errorFrom(response);
  return response.status === 204 ? void (await response.text()) ?? null : response.json();
}

// ---- Session ----------------------------------------------------------------------------------------------

export async function requestCode(/** @type {string} */ email) {
  return publicJson('POST', '/auth/login', { email });
}

export async function verifyCode(/** @type {string} */ email, /** @type {string} */ code) {
  const tokens = await publicJson('POST', '/auth/verify', { email, code });
  await keepTokens(tokens);
  sessionChannel.postMessage('signed-in');
  emit('session', true);
  return tokens.user;
}

/** Forgets this browser's session, its saved data and its outbox, here and in every other tab. */
async function endSession() {
  const user = JSON.parse(localStorage.getItem(USER_KEY) ?? 'null');
  if (user) {
    for (const key of Object.keys(localStorage))
      if (key.startsWith(`kefir.cache.${user.userId}.`) || key === outboxKey(user.userId)) localStorage.removeItem(key);
  }
  await forgetRefreshToken();
  localStorage.removeItem(USER_KEY);
  sessionChannel.postMessage('signed-out');
  forgetSession();
}

function forgetSession() {
  accessToken = null;
  emit('session', false);
}

export async function signOut() {
  const refreshToken = await storedRefreshToken();
  try {
    if (refreshToken) await (await send('POST', '/auth/logout', { body: { refreshToken }, auth: false })).text();
  } catch {
    // Offline: the session ends here anyway; the refresh token expires on its own.
  }
  await endSession();
}

/** Signs out every session of the account (every device), then this one. */
export async function signOutEverywhere() {
  await json('DELETE', '/me/sessions');
  await endSession();
}

export async function deleteAccount() {
  await json('DELETE', '/me');
  await endSession();
}

// ---- Saved copies for offline reading ---------------------------------------------------------------------

function cacheKey(/** @type {string} */ path) {
  return `kefir.cache.${currentUser()?.userId}.${path}`;
}

/**
 * GETs `path` and keeps a copy; offline, resolves with the copy last kept ({offline: true}).
 * @param {string} path
 * @returns {Promise<{data: any, offline: boolean, savedAt?: number}>}
 */
export async function load(path) {
  try {
    const data = await json('GET', path);
    emit('loaded', { path, data });
    try {
      localStorage.setItem(cacheKey(path), JSON.stringify({ data, savedAt: Date.now() }));
    } catch {
      // Storage full: the page still shows; it just is not readable offline.
    }
    return { data, offline: false };
  } catch (error) {
    const saved = error instanceof OfflineError ? localStorage.getItem(cacheKey(path)) : null;
    if (!saved) throw error;
    return { ...JSON.parse(saved), offline: true };
  }
}

// ---- Outbox: writes that wait for the network ---------------------------------------------------------------

/**
 * @typedef {{key: string, method: string, path: string, body: any, label: string, batchId?: string,
 *            queuedAt: string}} OutboxItem
 */

function outboxKey(/** @type {string | undefined} */ userId = currentUser()?.userId) {
  return `kefir.outbox.${userId}`;
}

/** @returns {OutboxItem[]} */
export function outbox() {
  return currentUser() ? JSON.parse(localStorage.getItem(outboxKey()) ?? '[]') : [];
}

function saveOutbox(/** @type {OutboxItem[]} */ items) {
  localStorage.setItem(outboxKey(), JSON.stringify(items));
  emit('outbox', items);
}

/** @type {Map<string, {data?: any, error?: any}>} */
const outcomes = new Map();
/** Keys whose queueWrite() call is still waiting for its outcome (it reports a refusal itself). */
const awaited = new Set();

/**
 * Queues a write (its Idempotency-Key chosen now, so however often it is sent it acts once) and sends the
 * queue. Resolves with {data} once sent, or {pending: true} while it waits for the network; rejects with the
 * ApiError when the server refused it.
 * @param {string} method @param {string} path @param {any} body
 * @param {{label: string, batchId?: string}} about  what the UI shows while it is pending
 */
export async function queueWrite(method, path, body, about) {
  const item = { key: crypto.randomUUID(), method, path, body, ...about, queuedAt: new Date().toISOString() };
  saveOutbox([...outbox(), item]);
  awaited.add(item.key);
  await sendOutbox().finally(() => awaited.delete(item.key));
  const outcome = outcomes.get(item.key);
  outcomes.delete(item.key);
  if (!outcome) return { pending: true };
  if (outcome.error) throw outcome.error;
  return { data: outcome.data };
}

/**
 * Sends the queued writes in order, one tab at a time. Offline, 5xx, 429, a 409 with Retry-After: stop and keep
 * them for the next try. Another 4xx: the server will never take it; drop it and report it ('outbox-rejected').
 */
export async function sendOutbox() {
  if (!currentUser()) return;
  await navigator.locks.request('kefir-outbox', async () => {
    for (let [item] = outbox(); item; [item] = outbox()) {
      try {
        const data = await json(item.method, item.path, { body: item.body, headers: { 'idempotency-key': item.key } });
        if (awaited.has(item.key)) outcomes.set(item.key, { data });
      } catch (error) {
        // A 409 with Retry-After: the same write, sent earlier, is still being handled (not a refusal).
        const retry = error instanceof OfflineError || (error instanceof ApiError && (error.status >= 500 || error.status === 429 || error.status === 401 || (error.status === 409 && error.retryAfter > 0)));
        if (retry) return;
        if (awaited.has(item.key)) outcomes.set(item.key, { error });
        else emit('outbox-rejected', { item, error });
      }
      saveOutbox(outbox().filter((queued) => queued.key !== item.key));
    }
  });
}
