// The service worker: keeps this version's app shell for offline use (the API is never cached here; the app
// keeps its own saved copies), and shows Web Push reminders. Served at /sw.js so that it controls the whole
// origin; the server writes this build's version over the token below.
const VERSION = '__APP_VERSION__';
const CACHE = `kefir-app-${VERSION}`;
const APP = `/app/${VERSION}/`;
const SHELL = [
  '/',
  ...['app.css', 'main.js', 'api.js', 'live.js', 'view.js', 'manifest.webmanifest', 'icon.svg', 'icon-maskable.svg', 'screens/sign-in.js',
    'screens/batch-list.js', 'screens/new-batch.js', 'screens/batch.js', 'screens/share.js',
    'screens/settings.js', 'screens/sensors.js'].map((file) => APP + file),
];

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) if (name.startsWith('kefir-app-') && name !== CACHE) await caches.delete(name);
    await self.clients.claim();
  })());
});

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== 'GET' || url.origin !== self.location.origin) return;
  if (url.pathname === '/') event.respondWith(networkFirst('/'));
  else if (url.pathname.startsWith(APP)) event.respondWith(cacheFirst(event.request));
});

// The page is asked for every time, so a new version shows at once; offline, the kept one.
async function networkFirst(/** @type {string} */ path) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(path, { cache: 'no-cache' });
    if (response.ok) await cache.put(path, response.clone());
    return response;
  } catch (error) {
    const kept = await cache.match(path);
    if (kept) return kept;
    throw error;
  }
}

// Versioned files never change.
async function cacheFirst(/** @type {Request} */ request) {
  const cache = await caches.open(CACHE);
  const kept = await cache.match(request);
  if (kept) return kept;
  const response = await fetch(request);
  if (response.ok) await cache.put(request, response.clone());
  return response;
}

self.addEventListener('push', (event) => {
  /** @type {{title?: string, body?: string, data?: {batchId?: string, reminderId?: string, type?: string}}} */
  let message = {};
  try {
    message = event.data?.json() ?? {};
  } catch {
    message = { body: event.data?.text() };
  }
  event.waitUntil(self.registration.showNotification(message.title ?? 'Kefir reminder', {
    body: message.body ?? '',
    data: message.data ?? {},
    icon: `${APP}icon.svg`,
    tag: message.data?.reminderId,
  }));
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const batchId = event.notification.data?.batchId;
  const target = batchId ? `/#/batches/${batchId}` : '/';
  event.waitUntil((async () => {
    const [open] = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
    if (!open) return self.clients.openWindow(target);
    await open.focus();
    return open.navigate(target);
  })());
});
