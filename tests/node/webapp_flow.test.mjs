// A brewer's session in the web app, in headless Chromium against the real binary: sign in with the emailed code,
// start a batch, add an observation and a photo, confirm suggested reminders and snooze / complete them, share
// the batch and open its public page, export the CSV, reload (still signed in) and sign out. Every screen passes
// axe-core; no page logs an error.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { eventually, outboxCodes, uniqueEmail } from './auth_support.mjs';
import {
  apiJson, assertAccessible, assertNoProblems, clickSelector, clickText, findText, openPage, screenshot, signInThroughUi, withKefirAndBrowser,
} from './browser_support.mjs';

let server;
let browser;
withKefirAndBrowser({}, (started) => ({ server, browser } = started));

async function heading(page, text) {
  await findText(page, 'h1', text);
}

async function fill(page, selector, text) {
  await page.click(selector, { count: 3 });
  await page.keyboard.press('Backspace');
  await page.type(selector, text);
}

test('a brewer tracks a batch end to end in the browser', async () => {
  const page = await openPage(browser);
  const email = uniqueEmail('web');
  await page.goto(`${server.baseUrl}/`);

  // Sign in with the code from the outbox, as the brewer reads it from the email.
  await heading(page, 'Sign in');
  await assertAccessible(page, 'sign-in');
  await screenshot(page, 'sign-in');
  await page.type('input[name=email]', email);
  await clickText(page, 'Send me a code');
  await page.waitForSelector('input[name=code]');
  const resend = await findText(page, 'button', 'Send a new code in');
  assert.equal(await resend.evaluate((button) => button.disabled), true, 'resend waits for the cooldown');
  const code = await eventually(() => outboxCodes(server.dataDir, email)[0], 10000, 'the emailed code');
  page.allow(/status of 401 .*\/auth\/verify/);  // the wrong code typed on purpose
  await page.type('input[name=code]', '000000' === code ? '111111' : '000000');
  await clickText(page, 'Sign in', 'button[type=submit]');
  await findText(page, '.field-error', 'wrong or has expired');
  page.disallow();
  await fill(page, 'input[name=code]', code);
  await clickText(page, 'Sign in', 'button[type=submit]');
  await heading(page, 'Your batches');
  await findText(page, '.empty', 'No batches yet');

  // A new batch, with the defaults and a few choices.
  await clickText(page, 'New batch');
  await heading(page, 'New batch');
  assert.equal(await page.$eval('input[name=temperature]', (input) => input.value), '22');
  await assertAccessible(page, 'new-batch');
  await screenshot(page, 'new-batch');
  await fill(page, 'input[name=name]', 'Ginger lemon');
  await page.type('input[name=fruits]', 'lemon, ginger');
  await clickText(page, 'Start batch');
  await heading(page, 'Ginger lemon');
  const batchId = /#\/batches\/([0-9a-f-]{36})$/.exec(page.url())?.[1];
  assert.ok(batchId, page.url());
  const { batch } = await apiJson(page, 'GET', `/batches/${batchId}`);
  assert.deepEqual([batch.kind, batch.stage, batch.temperature, batch.waterVolumeMl, batch.sugarAmount, batch.fruits],
    ['water', 'stage1_open', 22, 1000, 60, ['lemon', 'ginger']]);

  // An observation on the timeline.
  await page.type('textarea[name=description]', 'Bubbles at the top, smells of lemon');
  await clickText(page, 'Add to timeline');
  await findText(page, '.timeline .event', 'Bubbles at the top');
  // A measurement, with an error from the API shown next to its field.
  page.allow(/status of 400 .*\/events/);  // the out-of-range reading typed on purpose
  await clickSelector(page, 'input[name=type][value=measurement]');
  await page.type('input[name="metadata.ph"]', '99');
  await clickText(page, 'Add to timeline');
  await findText(page, '[data-error-for="metadata.ph"]', 'between');
  page.disallow();
  await fill(page, 'input[name="metadata.ph"]', '3.4');
  await page.type('input[name="metadata.temperatureC"]', '23.5');
  await clickText(page, 'Add to timeline');
  await findText(page, '.timeline .readings', 'pH 3.4');

  // A photo: a JPEG drawn in the page, uploaded to the presigned URL, then shown on the timeline.
  await page.evaluate(async () => {
    const canvas = new OffscreenCanvas(64, 48);
    const context = canvas.getContext('2d');
    context.fillStyle = '#e8c872';
    context.fillRect(0, 0, 64, 48);
    context.fillStyle = '#1d5c4d';
    context.fillRect(8, 8, 20, 20);
    const blob = await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.9 });
    const transfer = new DataTransfer();
    transfer.items.add(new File([blob], 'jar.jpg', { type: 'image/jpeg' }));
    const input = document.querySelector('input[type=file]');
    input.files = transfer.files;
    input.dispatchEvent(new Event('change'));
  });
  await page.waitForFunction(() => {
    const image = document.querySelector('.timeline img.event-photo');
    return image?.complete && image.naturalWidth === 64 && image.naturalHeight === 48;
  }, { timeout: 15000 });
  assert.equal((await apiJson(page, 'GET', `/batches/${batchId}/photos`)).photos.length, 1);

  // The model's suggestions: one tap each sets a reminder; one is snoozed, one completed.
  const suggested = (await apiJson(page, 'GET', `/batches/${batchId}/reminders/suggestions`)).suggestions;
  assert.ok(suggested.length >= 2, JSON.stringify(suggested));
  await clickText(page, 'Remind me', '.suggestion button');
  await findText(page, '.reminder:not(.suggestion) .reminder-message', suggested[0].message);
  await clickText(page, 'Remind me', '.suggestion button');
  await findText(page, '.reminder:not(.suggestion) .reminder-message', suggested[1].message);
  let reminders = (await apiJson(page, 'GET', `/batches/${batchId}/reminders`)).reminders;
  assert.deepEqual(reminders.map((r) => [r.type, r.scheduledTime, r.status]).sort(),
    suggested.slice(0, 2).map((s) => [s.type, s.suggestedTime, 'pending']).sort());
  const listed = (await apiJson(page, 'GET', '/me/reminders')).reminders;
  assert.equal(listed.length, 2, 'the confirmed reminders are the user\'s pending reminders');
  await screenshot(page, 'batch');
  await assertAccessible(page, 'batch');

  await clickText(page, 'Snooze 1 h', `.reminder button[aria-label="Snooze 1 h: ${suggested[0].message}"]`);
  await findText(page, '.notice', 'Snoozed');
  await clickText(page, 'Done', `.reminder button[aria-label="Done: ${suggested[1].message}"]`);
  await findText(page, '.notice', 'Reminder done');
  reminders = (await apiJson(page, 'GET', `/batches/${batchId}/reminders`)).reminders;
  const byType = Object.fromEntries(reminders.map((r) => [r.type, r]));
  assert.equal(Date.parse(byType[suggested[0].type].scheduledTime) - Date.parse(suggested[0].suggestedTime), 3600_000);
  assert.equal(byType[suggested[1].type].completed, true);
  await page.waitForFunction((message) => ![...document.querySelectorAll('.reminder:not(.suggestion)')].some((li) => li.textContent.includes(message)), {}, suggested[1].message);

  // Share: public with a note, the label fetched with the token, and the public page.
  await clickText(page, 'Share', 'a');
  await heading(page, 'Share');
  await page.click('#share-public');
  await page.type('textarea[name=publicNote]', 'Try it cold');
  await clickText(page, 'Save');
  await findText(page, '.notice', 'Shared');
  await page.waitForFunction(() => document.querySelector('.label-image')?.naturalWidth > 0);
  assert.match(await page.$eval('input[name=link]', (input) => input.value), new RegExp(`/b/${batchId}$`));
  const shared = (await apiJson(page, 'GET', `/batches/${batchId}`)).batch;
  assert.deepEqual([shared.isPublic, shared.publicNote], [true, 'Try it cold']);
  await assertAccessible(page, 'share');
  await screenshot(page, 'share');
  const publicPage = await openPage(browser);
  publicPage.allow(/status of 404 .*\/favicon\.ico/);  // the public page has no icon
  await publicPage.goto(`${server.baseUrl}/b/${batchId}`);
  await findText(publicPage, 'h1', 'Ginger lemon');
  await findText(publicPage, 'body', 'Try it cold');
  await publicPage.close();

  // The list shows the batch; the status actions move it on.
  await page.goto(`${server.baseUrl}/#/batches`);
  await findText(page, '.batch-card', 'Ginger lemon');
  await assertAccessible(page, 'batches');
  await screenshot(page, 'batches');

  // Settings: the CSV export is downloaded with the token.
  await page.goto(`${server.baseUrl}/#/settings`);
  await heading(page, 'Settings');
  await assertAccessible(page, 'settings');
  await screenshot(page, 'settings');
  const downloads = mkdtempSync(path.join(tmpdir(), 'kefir-downloads-'));
  try {
    const cdp = await page.createCDPSession();
    await cdp.send('Browser.setDownloadBehavior', { behavior: 'allow', downloadPath: downloads });
    await clickText(page, 'Download CSV export');
    const file = await eventually(() => readdirSync(downloads).find((name) => name.endsWith('.csv')), 15000, 'the CSV download');
    assert.match(file, /^kefir-data-.*\.csv$/);
    const csv = await eventually(() => {
      const text = readFileSync(path.join(downloads, file), 'utf8');
      return text.includes('\n') && text;
    });
    const [header, ...rows] = csv.trim().split(/\r?\n/);
    assert.match(header, /^record_type,/);
    assert.ok(rows.some((row) => row.startsWith('batch,') && row.includes('Ginger lemon')), csv);
    assert.ok(rows.some((row) => row.startsWith('event,') && row.includes('Bubbles at the top')), csv);
    assert.equal(rows.filter((row) => row.startsWith('reminder,')).length, 2, csv);
  } finally {
    rmSync(downloads, { recursive: true, force: true });
  }

  // A reload keeps the session (the refresh token is kept, the access token is not).
  await page.reload();
  await heading(page, 'Settings');
  await findText(page, '.lead', email);

  // Signing out revokes the session and forgets the saved data.
  const refreshToken = await page.evaluate(() => new Promise((resolve) => {
    indexedDB.open('kefir').onsuccess = (event) => {
      const read = event.target.result.transaction('session').objectStore('session').get('refreshToken');
      read.onsuccess = () => resolve(read.result);
    };
  }));
  assert.ok(refreshToken);
  await clickText(page, 'Sign out', 'button');
  await heading(page, 'Sign in');
  assert.deepEqual(await page.evaluate(() => Object.keys(localStorage).filter((key) => key !== 'kefir.deviceId')), []);
  const refreshed = await fetch(`${server.baseUrl}/auth/refresh`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ refreshToken }),
  });
  assert.equal(refreshed.status, 401, 'the signed-out refresh token is revoked');
  await page.close();
  assertNoProblems(page, publicPage);
});

test('settings offer the browser time zone on first use and edit quiet hours', async () => {
  const page = await openPage(browser);
  await page.emulateTimezone('America/New_York');
  await signInThroughUi(page, server);
  await page.goto(`${server.baseUrl}/#/settings`);
  await heading(page, 'Settings');
  const value = (selector) => page.$eval(selector, (element) => /** @type {HTMLInputElement} */ (element).value);
  const checked = (selector) => page.$eval(selector, (element) => /** @type {HTMLInputElement} */ (element).checked);

  // A new user is on UTC: the browser's zone is offered, not yet saved; quiet hours are on, 22:00-08:00.
  assert.equal(await value('select[name="preferences.timezone"]'), 'America/New_York');
  await findText(page, '.hint', "This browser's time zone, not saved yet");
  assert.equal((await apiJson(page, 'GET', '/me')).user.preferences.timezone, 'UTC');
  assert.equal(await checked('input[name="preferences.quietHours.enabled"]'), true);
  assert.equal(await value('input[name="preferences.quietHours.start"]'), '22:00');
  assert.equal(await value('input[name="preferences.quietHours.end"]'), '08:00');
  await assertAccessible(page, 'settings with quiet hours');

  await page.$eval('input[name="preferences.quietHours.start"]', (input) => { /** @type {HTMLInputElement} */ (input).value = '21:30'; });
  await clickText(page, 'Save', 'button[type=submit]');
  await findText(page, '.notice', 'Settings saved');
  let preferences = (await apiJson(page, 'GET', '/me')).user.preferences;
  assert.equal(preferences.timezone, 'America/New_York');
  assert.deepEqual(preferences.quietHours, { enabled: true, start: '21:30', end: '08:00' });

  // Turned off, and the same window shown again after a reload, with the saved zone no longer "offered".
  await page.click('#quiet-hours');
  await clickText(page, 'Save', 'button[type=submit]');
  await eventually(async () => !(await apiJson(page, 'GET', '/me')).user.preferences.quietHours.enabled, 10000, 'quiet hours off');
  await page.reload();
  await heading(page, 'Settings');
  await findText(page, '.hint', 'Reminders and dates follow it.');
  assert.equal(await checked('input[name="preferences.quietHours.enabled"]'), false);
  assert.equal(await value('input[name="preferences.quietHours.start"]'), '21:30');
  preferences = (await apiJson(page, 'GET', '/me')).user.preferences;
  assert.deepEqual(preferences.quietHours, { enabled: false, start: '21:30', end: '08:00' });
  assertNoProblems(page);
  await page.close();
});
