// Sensors in the web app, in headless Chromium against the real binary: a brewer adds a sensor (its ingest URL
// shown once), attaches it to a batch, the device posts readings, the batch screen shows their chart and the
// measured progress; then detached, a new token (the old one refused), renamed and deleted. Every screen passes
// axe-core; no page logs an error.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  apiJson, assertAccessible, assertNoProblems, clickText, findText, openPage, screenshot, signInThroughUi, withKefirAndBrowser,
} from './browser_support.mjs';

let server;
let browser;
withKefirAndBrowser({}, (started) => ({ server, browser } = started));

const TOKEN_IN_URL = /\/ingest\/(kst_[A-Za-z0-9_-]{43})$/;

/** Posts a plain reading as a device would (the token is the credential); resolves with the HTTP status. */
async function ingest(token, body) {
  const response = await fetch(`${server.baseUrl}/ingest/${token}`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
  });
  await response.text();
  return response.status;
}

/** The notice over the bottom of the screen would take the click meant for a button under it. */
async function dismissNotice(page) {
  await clickText(page, 'Dismiss', '.notice button');
  await page.waitForFunction(() => !document.querySelector('.notice'));
}

/** The token of the ingest URL the screen shows once. */
async function shownToken(page, title) {
  await findText(page, '.sensor-secret h2', title);
  await findText(page, '.sensor-secret', 'Shown once');
  const url = await page.$eval('.sensor-secret input[name=ingestUrl]', (input) => input.value);
  const token = TOKEN_IN_URL.exec(url)?.[1];
  assert.ok(token, url);
  return token;
}

test('a brewer adds a sensor, attaches it and sees its chart and progress on the batch', async () => {
  const page = await openPage(browser);
  await signInThroughUi(page, server);

  await clickText(page, 'New batch');
  await findText(page, 'h1', 'New batch');  // the screen's heading takes the focus once it is shown
  await page.click('input[name=name]', { count: 3 });
  await page.keyboard.press('Backspace');
  await page.type('input[name=name]', 'Fig and lemon');
  await clickText(page, 'Start batch');
  await findText(page, 'h1', 'Fig and lemon');
  const batchId = /#\/batches\/([0-9a-f-]{36})$/.exec(page.url())?.[1];
  assert.ok(batchId, page.url());
  await page.waitForSelector('.timeline li');
  assert.equal(await page.$eval('.sensor-data', (section) => section.hidden), true, 'no readings, no chart');

  // A new sensor: its ingest URL is shown once, and the server never lists the token again.
  await clickText(page, 'Sensors', '.app-nav a');
  await findText(page, 'h1', 'Sensors');
  await findText(page, '.sensor-list .empty', 'No sensors yet');
  page.allow(/status of 400 .*\/me\/sensors/);  // the sensor with a too-long name, on purpose
  await page.type('input[name=name]', 'x'.repeat(100));
  await page.$eval('input[name=name]', (input) => { input.removeAttribute('maxlength'); input.value += 'y'; });
  await clickText(page, 'Add sensor');
  await findText(page, '[data-error-for=name]', '100');
  page.disallow();
  await page.$eval('input[name=name]', (input) => { input.value = ''; });
  await page.type('input[name=name]', 'Jar thermometer');
  await clickText(page, 'Add sensor');
  const token = await shownToken(page, '"Jar thermometer" is ready');
  await findText(page, '.sensor .sensor-name', 'Jar thermometer');
  await findText(page, '.sensor .sensor-batch', 'Not attached');
  const listed = await apiJson(page, 'GET', '/me/sensors');
  assert.equal(listed.sensors.length, 1);
  assert.equal(JSON.stringify(listed).includes(token), false, 'the list never carries the token');
  const sensorId = listed.sensors[0].sensorId;
  await assertAccessible(page, 'sensors');
  await clickText(page, 'Done', '.sensor-secret button');
  await page.reload();
  await findText(page, '.sensor .sensor-name', 'Jar thermometer');
  assert.equal(await page.$('.sensor-secret'), null);
  assert.doesNotMatch(await page.$eval('main', (main) => main.innerText), /\b(null|undefined)\b/);
  assert.equal(await page.evaluate((t) => document.body.innerHTML.includes(t), token), false, 'shown only once');

  // Not attached yet: readings are accepted but kept nowhere.
  assert.equal(await ingest(token, { temperature: 21 }), 202);

  // Attached to the batch: its readings go there.
  await page.select(`.sensor[data-sensor-id="${sensorId}"] select[name=batchId]`, batchId);
  await clickText(page, 'Save', `.sensor[data-sensor-id="${sensorId}"] button`);
  await findText(page, '.notice', 'Attached to "Fig and lemon"');
  await findText(page, '.sensor .sensor-batch', 'Attached to Fig and lemon');
  assert.equal((await apiJson(page, 'GET', `/me/sensors/${sensorId}`)).sensor.batchId, batchId);
  await screenshot(page, 'sensors');

  const minutesAgo = (minutes) => new Date(Date.now() - minutes * 60_000).toISOString();
  for (const [minutes, temperature] of [[45, 22.5], [30, 24], [15, 25.5], [0, 26]])
    assert.equal(await ingest(token, { temperature, time: minutesAgo(minutes) }), 201);

  // The batch screen: the chart (fetched with the token) and the measured progress.
  await clickText(page, 'Fig and lemon', '.sensor-batch a');
  await findText(page, 'h1', 'Fig and lemon');
  await page.waitForFunction(() => {
    const chart = document.querySelector('.sensor-data img.chart-image');
    return chart?.complete && chart.naturalWidth > 0 && chart.src.startsWith('blob:');
  }, { timeout: 15000 });
  const { progress } = await apiJson(page, 'GET', `/batches/${batchId}/progress`);
  assert.equal(progress.temperatureSource, 'readings');
  await findText(page, '.progress-percent', `${Math.round(progress.fraction * 100)}% done`);
  const expectedEnd = await page.evaluate((iso) =>
    new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso)), progress.expectedEnd);
  await findText(page, '.progress-end', `Expected end ${expectedEnd}`);
  await findText(page, '.sensor-data', 'last 26 °C');
  const shownFraction = await page.$eval('progress.stage-progress', (bar) => bar.value);
  assert.ok(Math.abs(shownFraction - Math.min(progress.fraction, 1)) < 0.01, `${shownFraction} vs ${progress.fraction}`);
  await assertAccessible(page, 'batch with sensor readings');
  await screenshot(page, 'batch-sensors');

  // Detached: the batch keeps its readings, new ones are kept nowhere.
  await clickText(page, 'Sensors', '.app-nav a');
  await findText(page, '.sensor .sensor-name', 'Jar thermometer');
  await page.select(`.sensor[data-sensor-id="${sensorId}"] select[name=batchId]`, '');
  await clickText(page, 'Save', `.sensor[data-sensor-id="${sensorId}"] button`);
  await findText(page, '.notice', 'Detached');
  await findText(page, '.sensor .sensor-batch', 'Not attached');
  assert.equal((await apiJson(page, 'GET', `/me/sensors/${sensorId}`)).sensor.batchId, null);
  await dismissNotice(page);

  // A new token: shown once; the old one is refused from now on.
  await page.click(`.sensor[data-sensor-id="${sensorId}"] summary`);
  await clickText(page, 'New token', `.sensor[data-sensor-id="${sensorId}"] button`);
  const rotated = await shownToken(page, 'New URL for "Jar thermometer"');
  assert.notEqual(rotated, token);
  assert.equal(await ingest(token, { temperature: 24 }), 401);
  assert.equal(await ingest(rotated, { temperature: 24 }), 202, 'accepted, kept nowhere: not attached');

  // Renamed, then deleted: its token stops working, its readings stay with the batch.
  await dismissNotice(page);
  await page.click(`.sensor[data-sensor-id="${sensorId}"] summary`);
  const nameInput = `.sensor[data-sensor-id="${sensorId}"] input[name=name]`;
  await page.$eval(nameInput, (input) => { input.value = ''; });
  await page.type(nameInput, 'Cellar probe');
  await clickText(page, 'Rename', `.sensor[data-sensor-id="${sensorId}"] button`);
  await findText(page, '.sensor .sensor-name', 'Cellar probe');
  await dismissNotice(page);
  await page.click(`.sensor[data-sensor-id="${sensorId}"] summary`);
  await clickText(page, 'Delete', `.sensor[data-sensor-id="${sensorId}"] button`);
  await findText(page, '.notice', '"Cellar probe" deleted');
  await findText(page, '.sensor-list .empty', 'No sensors yet');
  assert.deepEqual((await apiJson(page, 'GET', '/me/sensors')).sensors, []);
  assert.equal(await ingest(rotated, { temperature: 24 }), 401);
  assert.equal((await apiJson(page, 'GET', `/batches/${batchId}/readings`)).readings.length, 4);

  assertNoProblems(page);
  await page.close();
});
