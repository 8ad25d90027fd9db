// The batch list of the web app: a page at a time, newest first, one tab per status; a batch's timeline a page
// at a time; the stage and status actions of the batch page move a batch between the tabs.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  apiJson, assertNoProblems, clickText, findText, openPage, signInThroughUi, withKefirAndBrowser,
} from './browser_support.mjs';

const PAGE_SIZE = 20;

let server;
let browser;
withKefirAndBrowser({}, (started) => ({ server, browser } = started));

test('the list pages newest first, and the batch actions move a batch between the status tabs', async () => {
  const page = await openPage(browser);
  await signInThroughUi(page, server);
  for (let i = 1; i <= PAGE_SIZE + 2; i += 1)
    await apiJson(page, 'POST', '/batches', { name: `Batch ${String(i).padStart(2, '0')}`, stage: 'stage1_open' });
  await page.reload();
  await findText(page, '.batch-card', 'Batch 22');
  const names = () => page.$$eval('a.batch-card .batch-name', (items) => items.map((item) => item.textContent));
  assert.deepEqual(await names(), Array.from({ length: PAGE_SIZE }, (_, i) => `Batch ${String(PAGE_SIZE + 2 - i).padStart(2, '0')}`));
  await clickText(page, 'Show older batches');
  await findText(page, '.batch-card', 'Batch 01');
  assert.equal((await names()).length, PAGE_SIZE + 2);
  assert.equal(await page.$eval('button.more', (button) => button.hidden), true, 'no more pages');

  await clickText(page, 'Batch 22', 'a.batch-card');
  await findText(page, 'h1', 'Batch 22');
  const batchId = page.url().split('/').pop();
  // The timeline too comes a page at a time, newest first.
  for (let i = 1; i <= 55; i += 1)
    await apiJson(page, 'POST', `/batches/${batchId}/events`, { type: 'observation', description: `Look ${i}` });
  await page.reload();
  await findText(page, '.timeline .event', 'Look 55');
  assert.equal(await page.$$eval('.timeline .event', (items) => items.length), 50);
  await clickText(page, 'Show older entries');
  await findText(page, '.timeline .event', 'Batch started');
  assert.equal(await page.$$eval('.timeline .event', (items) => items.length), 56);
  assert.equal(await page.$$eval('.timeline .older', (items) => items.length), 0);
  await clickText(page, 'Start second fermentation');
  await findText(page, '.chip', 'Second fermentation');
  await clickText(page, 'Move to fridge');
  await findText(page, '.chip', 'In fridge');
  const { batch } = await apiJson(page, 'GET', `/batches/${batchId}`);
  assert.deepEqual([batch.stage, batch.status], ['stage2_bottled', 'in_fridge']);
  assert.ok(batch.stage2StartDate, 'bottling set the second fermentation start');
  await clickText(page, 'Batches', 'nav a');
  await clickText(page, 'In fridge', '.tabs a');
  await findText(page, 'a.batch-card', 'Batch 22');
  assert.deepEqual(await names(), ['Batch 22']);
  await clickText(page, 'Batch 22', 'a.batch-card');
  await clickText(page, 'Archive');  // the confirmation dialog is accepted
  await findText(page, '.chip', 'Archived');
  await clickText(page, 'Batches', 'nav a');
  await clickText(page, 'Archived', '.tabs a');
  await findText(page, 'a.batch-card', 'Batch 22');
  await clickText(page, 'Active', '.tabs a');
  await findText(page, 'a.batch-card', 'Batch 21');
  assert.ok(!(await names()).includes('Batch 22'));
  await page.close();
  assertNoProblems(page);
});
