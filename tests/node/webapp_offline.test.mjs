// The web app's session and offline behaviour in headless Chromium: two tabs refreshing at once keep each other
// signed in (the refresh token is rotated under a lock, REFRESH_REUSE_GRACE=0 so a replay would revoke the
// session); signing out in one tab signs out the other; offline, saved batches and timelines are shown after a
// reload (the service worker serves the shell) and a new observation waits in the outbox, marked pending, then is
// stored exactly once when the browser is back online, while a write the server refuses is dropped with a
// visible error.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  apiJson, assertNoProblems, clickSelector, clickText, findText, openPage, signInThroughUi, withKefirAndBrowser,
} from './browser_support.mjs';

let server;
let browser;
withKefirAndBrowser({ REFRESH_REUSE_GRACE: '0' }, (started) => ({ server, browser } = started));

test('two tabs refreshing at once stay signed in, and signing out in one signs out both', async () => {
  const context = await browser.createBrowserContext();
  const first = await openPage(context);
  await signInThroughUi(first, server);
  const second = await openPage(context);
  await second.goto(`${server.baseUrl}/`);
  await findText(second, 'h1', 'Your batches');

  // Reloading drops the in-memory access tokens: both tabs refresh at the same moment, several times.
  for (let round = 0; round < 3; round += 1) {
    await Promise.all([first.reload(), second.reload()]);
    await Promise.all([findText(first, 'h1', 'Your batches'), findText(second, 'h1', 'Your batches')]);
  }
  // A 401 on a request (as for an access token that expired) refreshes once and retries once.
  await second.evaluate(() => {
    const send = window.fetch;
    window.fetch = (input, init) => {
      if (!window.rejectedOnce && String(input).startsWith('/batches?') && init?.headers?.authorization) {
        window.rejectedOnce = true;
        return send(input, { ...init, headers: { ...init.headers, authorization: 'Bearer expired.access.token' } });
      }
      return send(input, init);
    };
  });
  second.allow(/status of 401 .*\/batches\?/);
  await clickText(second, 'In fridge', '.tabs a');
  await findText(second, '.empty', 'Nothing here');
  assert.equal(await second.evaluate(() => window.rejectedOnce), true);
  await Promise.all([first.reload(), second.reload()]);
  const batches = await Promise.all([apiJson(first, 'GET', '/batches'), apiJson(second, 'GET', '/batches')]);
  assert.deepEqual(batches.map((body) => body.count), [0, 0], 'both tabs still have a working session');

  await clickText(first, 'Settings', 'nav a');
  await findText(first, 'h1', 'Settings');
  await clickText(first, 'Sign out', 'button');
  await findText(first, 'h1', 'Sign in');
  await findText(second, 'h1', 'Sign in');
  await context.close();
  assertNoProblems(first, second);
});

test('offline: saved data after a reload, an observation kept pending, then stored exactly once', async () => {
  const context = await browser.createBrowserContext();
  const page = await openPage(context);
  await signInThroughUi(page, server);
  const { batch } = await apiJson(page, 'POST', '/batches', { name: 'Fig and lemon', stage: 'stage1_open', temperature: 24 });
  await apiJson(page, 'POST', `/batches/${batch.batchId}/events`, { type: 'observation', description: 'Grains are plump' });
  await page.reload();
  await findText(page, '.batch-card', 'Fig and lemon');
  await clickText(page, 'Fig and lemon', '.batch-card');
  await findText(page, '.timeline .event', 'Grains are plump');
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);

  page.allow(/ERR_INTERNET_DISCONNECTED|Failed to fetch/);
  await page.setOfflineMode(true);
  await page.type('textarea[name=description]', 'Written on the train');
  await clickText(page, 'Add to timeline');
  const pending = await findText(page, '.timeline .event.pending', 'Written on the train');
  assert.match(await pending.evaluate((item) => item.textContent), /pending/);
  await findText(page, '#status-banner', '1 change waiting to be sent');
  // A reading only the server can refuse (pH 1-14): queued too, then dropped with a visible error.
  await clickSelector(page, 'input[name=type][value=measurement]');
  await page.type('input[name="metadata.ph"]', '99');
  await clickText(page, 'Add to timeline');
  await findText(page, '#status-banner', '2 changes waiting to be sent');

  // A reload while offline: the shell comes from the service worker, the data from the saved copies.
  const reloaded = await page.reload();
  assert.equal(reloaded.fromServiceWorker(), true, 'the page is served by the service worker');
  await findText(page, '#status-banner', 'Offline — showing saved data');
  await findText(page, 'h1', 'Fig and lemon');
  await findText(page, '.timeline .event', 'Grains are plump');
  await findText(page, '.timeline .event.pending', 'Written on the train');
  await clickText(page, 'Batches', 'a');
  await findText(page, '.batch-card', 'Fig and lemon');

  page.allow(/status of 400 .*\/events/);
  await page.setOfflineMode(false);
  await page.waitForFunction(() => document.getElementById('status-banner').hidden, { timeout: 30000 });
  await findText(page, '.notice-error', 'Not saved: measurement');
  page.disallow();
  const { events } = await apiJson(page, 'GET', `/batches/${batch.batchId}/events`);
  assert.deepEqual(events.filter((event) => event.type === 'observation').map((event) => event.description),
    ['Grains are plump', 'Written on the train'], 'the offline observation is stored exactly once');
  assert.equal(events.filter((event) => event.type === 'measurement').length, 0, 'the refused reading is not stored');
  await clickText(page, 'Fig and lemon', '.batch-card');
  await findText(page, '.timeline .event:not(.pending)', 'Written on the train');
  assert.equal(await page.$$eval('.timeline .event.pending', (items) => items.length), 0);
  await context.close();
  assertNoProblems(page);
});
