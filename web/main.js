// The shell: a hash router over the screens (the API owns real paths like /batches/{id}), the status banner
// (offline, pending writes), notices, and the service worker. Each screen is one module in screens/ that
// exports show(view, params, app).
import * as api from './api.js';
import { h } from './view.js';
import { forgetLivePosition, live, startLive, stopLive } from './live.js';
import * as signIn from './screens/sign-in.js';
import * as batchList from './screens/batch-list.js';
import * as newBatch from './screens/new-batch.js';
import * as batch from './screens/batch.js';
import * as share from './screens/share.js';
import * as settings from './screens/settings.js';
import * as sensors from './screens/sensors.js';

const OUTBOX_RETRY_MS = 20_000;
// Changes arrive in bursts (a batch and its first event); one look after the burst is enough.
const LIVE_SETTLE_MS = 150;

/** @typedef {{show: (view: HTMLElement, params: Record<string, string>, app: App) => Promise<void>}} Screen */
/** @type {[RegExp, Screen, string][]}  pattern over the hash path, screen, nav section */
const routes = [
  [/^\/sign-in$/, signIn, ''],
  [/^\/batches$/, batchList, 'batches'],
  [/^\/batches\/new$/, newBatch, 'batches'],
  [/^\/batches\/(?<id>[0-9a-f-]{36})$/, batch, 'batches'],
  [/^\/batches\/(?<id>[0-9a-f-]{36})\/share$/, share, 'batches'],
  [/^\/sensors$/, sensors, 'sensors'],
  [/^\/settings$/, settings, 'settings'],
];

const view = /** @type {HTMLElement} */ (document.getElementById('view'));
const banner = /** @type {HTMLElement} */ (document.getElementById('status-banner'));
const notices = /** @type {HTMLElement} */ (document.getElementById('notices'));
const nav = /** @type {HTMLElement} */ (document.querySelector('.app-nav'));

/** What screens get from the shell. */
export class App {
  constructor() {
    /** @type {(() => void)[]} */
    this.cleanups = [];
    this.version = document.querySelector('script[type=module]')?.getAttribute('src')?.split('/')[2] ?? '';
  }

  /** @param {string} hash  e.g. '#/batches/<id>' */
  navigate(hash) {
    if (location.hash === hash) render();
    else location.hash = hash;
  }

  /** A message over the bottom of the page; errors stay until dismissed. @param {string} text */
  notify(text, kind = 'info') {
    const notice = h(
      'div',
      { class: `notice notice-${kind}`, role: kind === 'error' ? 'alert' : 'status' },
      h('span', {}, text),
      h('button', { type: 'button', class: 'link', onclick: () => notice.remove() }, 'Dismiss'),
    );
    // One message at a time: a stack of them would cover the page on a phone.
    notices.replaceChildren(notice);
    if (kind !== 'error') setTimeout(() => notice.remove(), 4000);
  }

  /** Calls `listener` whenever the queued writes change, until the screen is left. @param {() => void} listener */
  onOutboxChange(listener) {
    api.events.addEventListener('outbox', listener);
    this.cleanups.push(() => api.events.removeEventListener('outbox', listener));
  }

  /** Marks the screen's data as a saved copy (or not). @param {boolean} offline */
  showingSaved(offline) {
    savedShown = offline;
    updateBanner();
  }
}

const app = new App();
let savedShown = false;
/** @type {Map<string, string>} what the open screen loaded from the server: path -> JSON */
const shown = new Map();
/** @type {ReturnType<typeof setTimeout> | undefined} */
let liveTimer;
let refreshWaitsForInput = false;

/**
 * What a screen's data is, for telling whether it changed: a presigned photo URL is signed anew, with a new
 * expiry, on every read, so only what it points to counts. Otherwise every live event would re-render a batch
 * with photos, and a tap landing during that render would be lost.
 */
function comparable(/** @type {any} */ data) {
  return JSON.stringify(data, (_key, value) =>
    typeof value === 'string' && /^https?:\/\/[^?]*\?.*(X-Kefir-Signature|X-Amz-Signature)=/.test(value)
      ? value.slice(0, value.indexOf('?'))
      : value);
}

/**
 * Another device (or tab) changed the user's data: re-read what the open screen shows and render it again when
 * it differs, so this tab's own writes, which the screen already shows, cost no second render. Not while the
 * user is typing into it: then once they leave the field.
 */
function scheduleRefresh() {
  clearTimeout(liveTimer);
  liveTimer = setTimeout(() => refreshIfChanged().catch(() => {}), LIVE_SETTLE_MS);
}

async function refreshIfChanged() {
  const active = document.activeElement;
  if (active && view.contains(active) && active.matches('input, textarea, select')) {
    refreshWaitsForInput = true;
    return;
  }
  refreshWaitsForInput = false;
  const before = new Map(shown);
  for (const [path, json] of before) {
    const { data, offline } = await api.load(path).catch(() => ({ data: null, offline: true }));
    if (offline) return;
    if (comparable(data) !== json) return render();
  }
}

function updateBanner() {
  const pending = api.outbox().length;
  const parts = [];
  if (!api.isOnline() || savedShown) parts.push('Offline — showing saved data.');
  if (pending > 0) parts.push(`${pending} ${pending === 1 ? 'change' : 'changes'} waiting to be sent.`);
  banner.textContent = parts.join(' ');
  banner.hidden = parts.length === 0;
}

async function render() {
  for (const cleanup of app.cleanups.splice(0)) cleanup();
  shown.clear();
  savedShown = false;
  updateBanner();
  const [path, query = ''] = location.hash.replace(/^#/, '').split('?');
  const signedIn = api.currentUser() !== null;
  if (!signedIn && path !== '/sign-in') return app.navigate('#/sign-in');
  if (signedIn && (path === '/sign-in' || path === '' || path === '/')) return app.navigate('#/batches');
  const route = routes.find(([pattern]) => pattern.test(path));
  if (!route) return app.navigate('#/batches');
  const [pattern, screen, section] = route;
  const params = { ...Object.fromEntries(new URLSearchParams(query)), ...pattern.exec(path)?.groups };
  nav.hidden = !signedIn;
  for (const link of nav.querySelectorAll('a'))
    link.toggleAttribute('aria-current', link.getAttribute('data-nav') === section);
  view.replaceChildren(h('p', { class: 'loading' }, 'Loading…'));
  try {
    await screen.show(view, params, app);
  } catch (error) {
    if (!api.currentUser()) return;  // signed out meanwhile: the session listener routes to sign-in
    view.replaceChildren(
      h('h1', { tabindex: '-1' }, 'Something went wrong'),
      h('p', { class: 'form-error' }, error instanceof Error ? error.message : String(error)),
      h('p', {}, h('a', { href: '#/batches' }, 'Back to your batches')),
    );
  }
  /** @type {HTMLElement | null} */ (view.querySelector('h1'))?.focus({ preventScroll: true });
}

window.addEventListener('hashchange', render);
window.addEventListener('online', () => {
  api.sendOutbox();
  stopLive();  // reopened at once, not at the end of its offline backoff
  startLive();
  // What changed meanwhile may have come on a stream that outlived the network while the screen could not
  // re-read: look once now.
  scheduleRefresh();
});
api.events.addEventListener('loaded', (event) => {
  const { path, data } = /** @type {CustomEvent} */ (event).detail;
  shown.set(path, comparable(data));
});
live.addEventListener('changes', (event) => {
  if (/** @type {CustomEvent} */ (event).detail?.reset) render();
  else scheduleRefresh();
});
view.addEventListener('focusout', () => {
  if (refreshWaitsForInput) refreshIfChanged().catch(() => {});
});
api.events.addEventListener('connectivity', (event) => {
  // Back online while showing saved copies: show the live data instead.
  if (/** @type {CustomEvent} */ (event).detail && savedShown) render();
  else updateBanner();
});
api.events.addEventListener('outbox', updateBanner);
// Signing in or out in another tab does the same here.
api.events.addEventListener('session', (event) => {
  stopLive();
  if (!(/** @type {CustomEvent} */ (event).detail)) {
    forgetLivePosition();
    app.navigate('#/sign-in');
    return;
  }
  startLive();
  if (location.hash.startsWith('#/sign-in')) app.navigate('#/batches');
});
api.events.addEventListener('outbox-rejected', (event) => {
  const { item, error } = /** @type {CustomEvent} */ (event).detail;
  app.notify(`Not saved: ${item.label} (${error.message})`, 'error');
});
setInterval(() => api.sendOutbox(), OUTBOX_RETRY_MS);

if ('serviceWorker' in navigator)
  navigator.serviceWorker.register('/sw.js').catch((error) => console.error('The app cannot work offline:', error));
render();
api.sendOutbox().catch(() => {});
startLive();
