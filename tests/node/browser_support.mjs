// Shared by the web app's browser tests: Debian's Chromium, headless, driven by puppeteer-core, against the real
// binary. Every page's console errors, page errors and failed requests are collected and a test fails on any it
// did not expect; axe-core checks each screen; KEFIR_SCREENSHOT_DIR=$PWD/docs regenerates docs/webapp-*.png.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before } from 'node:test';
import puppeteer from 'puppeteer-core';
import { eventually, outboxCodes, startKefir, uniqueEmail } from './auth_support.mjs';

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
export const chromiumPath = process.env.CHROMIUM ?? '/usr/bin/chromium';
export const phone = { width: 360, height: 740, deviceScaleFactor: 2, isMobile: true, hasTouch: true };

// The machine has no network: without these Chromium keeps trying to reach Google and logs refused connections.
const quietFlags = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-default-apps', '--disable-extensions',
];

/** A headless Chromium with a fresh profile; `close()` also removes the profile. */
export async function launchBrowser() {
  const userDataDir = mkdtempSync(path.join(tmpdir(), 'kefir-chromium-'));
  const browser = await puppeteer.launch({
    executablePath: chromiumPath,
    headless: true,
    userDataDir,
    args: quietFlags,
    protocolTimeout: 60000,
  });
  const close = browser.close.bind(browser);
  browser.close = async () => {
    await close();
    rmSync(userDataDir, { recursive: true, force: true });
  };
  return browser;
}

/**
 * A test file's kefir (started with `env` added to its environment) and browser: started before its tests, given
 * to `use`, stopped after them.
 * @param {Record<string, string>} env @param {(started: {server: any, browser: import('puppeteer-core').Browser}) => void} use
 */
export function withKefirAndBrowser(env, use) {
  /** @type {{server?: any, browser?: import('puppeteer-core').Browser}} */
  let started = {};
  before(async () => {
    started = { server: await startKefir(env) };
    started.browser = await launchBrowser();
    use(/** @type {any} */ (started));
  });
  after(async () => {
    await started.browser?.close();
    await started.server?.stop();
  });
}

/**
 * A phone-sized page (of a browser or one of its contexts) whose problems are collected in `page.problems`; `page.allow(pattern)` accepts console
 * messages matching it (a 401 a test provokes, a failed fetch while offline) until `page.disallow()`.
 * @param {import('puppeteer-core').Browser | import('puppeteer-core').BrowserContext} browser
 */
export async function openPage(browser) {
  const page = await browser.newPage();
  await page.setViewport(phone);
  /** @type {string[]} */
  const problems = [];
  /** @type {RegExp[]} */
  let allowed = [];
  const report = (/** @type {string} */ text) => {
    if (!allowed.some((pattern) => pattern.test(text))) problems.push(text);
  };
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warn')
      report(`console ${message.type()}: ${message.text()} (${message.location()?.url ?? ''})`);
  });
  page.on('pageerror', (error) => report(`page error: ${error.message}`));
  page.on('requestfailed', (request) => {
    // The app's live stream never completes: leaving the page or signing out aborts it, as designed.
    if (new URL(request.url()).pathname === '/me/stream' && request.failure()?.errorText === 'net::ERR_ABORTED') return;
    report(`request failed: ${request.method()} ${request.url()} ${request.failure()?.errorText}`);
  });
  page.on('dialog', (dialog) => dialog.accept());
  Object.assign(page, {
    problems,
    allow: (/** @type {RegExp} */ pattern) => allowed.push(pattern),
    disallow: () => (allowed = []),
  });
  return /** @type {import('puppeteer-core').Page & {problems: string[], allow: (p: RegExp) => void, disallow: () => void}} */ (page);
}

/** Fails on anything a page reported. @param {{problems: string[]}[]} pages */
export function assertNoProblems(...pages) {
  assert.deepEqual(pages.flatMap((page) => page.problems), [], 'console errors, page errors or failed requests');
}

/** Runs axe-core on the page; fails on serious or critical violations. @param {import('puppeteer-core').Page} page */
export async function assertAccessible(page, screen) {
  // Evaluated over DevTools, so the page's CSP (no inline script) does not apply to the checker.
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource);
  const result = await page.evaluate(async () => {
    // @ts-ignore axe is the checker injected above
    const { violations } = await window.axe.run(document, { resultTypes: ['violations'] });
    return violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')) }));
  });
  const serious = result.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');
  assert.deepEqual(serious, [], `accessibility violations on ${screen}`);
}

/** With KEFIR_SCREENSHOT_DIR set, saves the page as <dir>/webapp-<name>.png. @param {import('puppeteer-core').Page} page */
export async function screenshot(page, name) {
  const dir = process.env.KEFIR_SCREENSHOT_DIR;
  if (!dir) return;
  await page.evaluate(() => {
    document.getElementById('notices')?.replaceChildren();  // passing messages would cover the screen
    return document.fonts.ready;
  });
  await page.screenshot({ path: path.join(dir, `webapp-${name}.png`), fullPage: true });
}

/** Waits for an element matching `selector` whose text contains `text`; returns it. */
export async function findText(page, selector, text, timeout = 10000) {
  try {
    const handle = await page.waitForFunction(
      (s, t) => [...document.querySelectorAll(s)].find((element) => element.textContent?.includes(t)),
      // Polled on a timer: animation frames (the default) stop in a tab in the background.
      { timeout, polling: 100 },
      selector,
      text,
    );
    return /** @type {import('puppeteer-core').ElementHandle<Element>} */ (handle);
  } catch (error) {
    const shown = await page.evaluate(() => document.body.innerText).catch(() => '(no page)');
    throw new Error(`no ${selector} with "${text}" on ${page.url()}; the page shows:\n${shown}\nproblems: ${page.problems}`, { cause: error });
  }
}

/**
 * Clicks what `find` returns. A live refresh may re-render the screen between finding and clicking (the data
 * changed on the server, e.g. by this tab's own write): then it is found again.
 */
async function clickFound(page, find) {
  await page.bringToFront();  // a click waits for the element to be rendered, which a tab in the background is not
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await (await find()).click();
    } catch (error) {
      if (attempt === 3 || !/detached|not clickable/i.test(String(error))) throw error;
    }
  }
}

/** Clicks the button or link whose text contains `text`. */
export async function clickText(page, text, selector = 'button, a') {
  return clickFound(page, () => findText(page, selector, text));
}

/** Clicks the element `selector` matches. */
export async function clickSelector(page, selector) {
  return clickFound(page, () => page.waitForSelector(selector));
}

/**
 * A request through the page's own client (its in-memory token, its refresh), to check what the server stored.
 * @param {import('puppeteer-core').Page} page @param {string} method @param {string} route @param {any} [body]
 */
export async function apiJson(page, method, route, body) {
  return page.evaluate(async (m, r, b) => {
    const src = document.querySelector('script[type=module]').getAttribute('src');
    const api = await import(src.replace('main.js', 'api.js'));
    return api.json(m, r, b === undefined ? {} : { body: b });
  }, method, route, body);
}

/** Signs a user (a new one by default) in through the sign-in screen with the code from the dev outbox; returns the email. */
export async function signInThroughUi(page, server, email = uniqueEmail('web')) {
  const known = outboxCodes(server.dataDir, email).length;  // this login's code follows any earlier ones
  await page.goto(`${server.baseUrl}/`);
  await page.waitForSelector('input[name=email]');
  await page.type('input[name=email]', email);
  await clickText(page, 'Send me a code');
  await page.waitForSelector('input[name=code]');
  const code = await eventually(() => outboxCodes(server.dataDir, email)[known], 10000, 'the emailed code');
  await page.type('input[name=code]', code);
  await clickText(page, 'Sign in', 'button[type=submit]');
  await findText(page, 'h1', 'Your batches');
  return email;
}
