// The live stream (GET /me/stream, docs/sync.md): while signed in the app holds one stream, read with
// fetch() (EventSource cannot send the Authorization header), and announces each page of changes as a 'changes'
// event of `live` (detail: the page, as GET /sync gives it; {reset: true} when the app must re-read everything).
// A dropped stream is reopened with backoff and Last-Event-ID, so changes made meanwhile still arrive.
import * as api from './api.js';

const MIN_RETRY_MS = 1000;
const MAX_RETRY_MS = 30_000;

export const live = new EventTarget();

/** @type {string | null} the id of the last event received: where a reopened stream resumes */
let lastEventId = null;
/** @type {AbortController | null} */
let current = null;
let retryMs = MIN_RETRY_MS;
/** @type {ReturnType<typeof setTimeout> | undefined} */
let retryTimer;

const announce = (/** @type {any} */ detail) => live.dispatchEvent(new CustomEvent('changes', { detail }));

/** Opens the stream when signed in and none is open (offline, the attempts back off); idempotent. */
export function startLive() {
  if (current || !api.currentUser()) return;
  clearTimeout(retryTimer);
  const controller = new AbortController();
  current = controller;
  follow(controller).then(
    () => reopenAfter(controller, 0),
    (error) => {
      if (controller.signal.aborted) return;
      if (error instanceof api.ApiError && (error.status === 400 || error.status === 410)) {
        // The resume point is foreign or too old: start afresh and let the screens re-read.
        lastEventId = null;
        announce({ reset: true });
        return reopenAfter(controller, 0);
      }
      if (error instanceof api.ApiError && error.status === 429) return reopenAfter(controller, Math.max(error.retryAfter * 1000, MAX_RETRY_MS));
      if (error instanceof api.ApiError && (error.status === 401 || error.status === 501)) return stopLive();
      reopenAfter(controller, retryMs);
      retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
    });
}

/** Closes the stream (signed out, offline). */
export function stopLive() {
  clearTimeout(retryTimer);
  current?.abort();
  current = null;
}

/** Forgets where the last session's stream was (another user signs in). */
export function forgetLivePosition() {
  lastEventId = null;
}

/** @param {AbortController} controller @param {number} delayMs */
function reopenAfter(controller, delayMs) {
  if (current !== controller) return;
  current = null;
  // A little jitter: after an instance stops, its clients do not all reconnect at the same moment.
  retryTimer = setTimeout(startLive, delayMs + Math.random() * 250);
}

/** Reads the stream until it ends. @param {AbortController} controller */
async function follow(controller) {
  const headers = lastEventId ? { 'last-event-id': lastEventId } : {};
  const response = await api.request('GET', '/me/stream', { headers, signal: controller.signal });
  retryMs = MIN_RETRY_MS;
  const reader = /** @type {ReadableStream<Uint8Array>} */ (response.body).pipeThrough(new TextDecoderStream()).getReader();
  let text = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    text += value;
    let end;
    while ((end = text.indexOf('\n\n')) >= 0) {
      received(text.slice(0, end));
      text = text.slice(end + 2);
    }
  }
}

/** One event block of the stream (comments are heartbeats). @param {string} block */
function received(block) {
  /** @type {Record<string, string>} */
  const fields = {};
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const name = colon < 0 ? line : line.slice(0, colon);
    fields[name] = (fields[name] ? `${fields[name]}\n` : '') + line.slice(colon + 1).replace(/^ /, '');
  }
  if (fields.event !== 'changes') return;  // 'shutdown': the stream ends next and is reopened elsewhere
  if (fields.id) lastEventId = fields.id;
  announce(JSON.parse(fields.data));
}
