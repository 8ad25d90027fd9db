// The web app's Web Push and "sign out everywhere", in headless Chromium against the real binary and the local
// fake push service. Headless Chromium cannot reach a real push service, so the page's PushManager hands out a
// subscription of the fake's (its private key stays in the test); everything after that is real: the app
// registers it as a device, a reminder confirmed with one tap is sent by kefir's reminder processor, and the fake
// verifies the VAPID JWT and decrypts the message on its own.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { eventually, postJson, signIn, uniqueEmail } from './auth_support.mjs';
import {
  apiJson, assertAccessible, assertNoProblems, clickText, findText, openPage, signInThroughUi, withKefirAndBrowser,
} from './browser_support.mjs';
import { startFakePushService } from './fake_web_push.mjs';

const LOGIN_COOLDOWN_MS = 31000;  // SPEC §2: a second code for the same email only after 30 s

let server;
let browser;
let pushService;
before(async () => {
  pushService = await startFakePushService();
});
after(async () => {
  await pushService?.close();
});
withKefirAndBrowser({}, (started) => ({ server, browser } = started));

// Before any script of the app runs: subscribe() answers with the fake's subscription, as a browser would with
// its vendor's push service.
async function usePushSubscription(page, subscription) {
  await page.evaluateOnNewDocument((json) => {
    let current = null;
    const make = () => ({
      endpoint: json.endpoint,
      expirationTime: null,
      toJSON: () => json,
      unsubscribe: async () => {
        current = null;
        return true;
      },
    });
    PushManager.prototype.subscribe = async () => (current = make());
    PushManager.prototype.getSubscription = async () => current;
  }, subscription);
}

test('reminders reach this browser by Web Push, and "sign out everywhere" ends every session', async () => {
  const email = uniqueEmail('push');
  // Another device of the same brewer, signed in first: "sign out everywhere" must end it too.
  const phone = await signIn(server, email);
  const phoneSignedInAt = Date.now();

  const subscription = pushService.subscribe();
  const page = await openPage(browser);
  await browser.defaultBrowserContext().overridePermissions(server.baseUrl, ['notifications']);
  await usePushSubscription(page, subscription);
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, LOGIN_COOLDOWN_MS - (Date.now() - phoneSignedInAt))));
  await signInThroughUi(page, server, email);

  // Settings: turning notifications on registers this browser as a web device.
  await page.goto(`${server.baseUrl}/#/settings`);
  await findText(page, 'h1', 'Settings');
  await page.click('#notifications');
  const devices = await eventually(async () => {
    const listed = (await apiJson(page, 'GET', '/me/devices')).devices;
    return listed.length === 1 ? listed : undefined;
  }, 10000, 'the browser registered as a device').catch(async (error) => {
    error.message += `\nthe page shows:\n${await page.evaluate(() => document.body.innerText)}\nproblems: ${page.problems}`;
    throw error;
  });
  assert.equal(devices[0].platform, 'web');
  assert.equal(devices[0].endpoint, subscription.endpoint);
  assert.equal((await apiJson(page, 'GET', '/me')).user.preferences.notificationsEnabled, true);
  assert.equal(await page.$eval('#notifications', (toggle) => toggle.checked), true);
  await assertAccessible(page, 'settings with notifications on');

  // A batch, a suggested reminder confirmed with one tap, then brought forward to a few seconds from now.
  const { batch } = await apiJson(page, 'POST', '/batches', { name: 'Elderflower', stage: 'stage1_open' });
  await page.goto(`${server.baseUrl}/#/batches/${batch.batchId}`);
  await findText(page, 'h1', 'Elderflower');
  const [suggestion] = (await apiJson(page, 'GET', `/batches/${batch.batchId}/reminders/suggestions`)).suggestions;
  await clickText(page, 'Remind me', '.suggestion button');
  await findText(page, '.reminder:not(.suggestion) .reminder-message', suggestion.message);
  const [reminder] = (await apiJson(page, 'GET', `/batches/${batch.batchId}/reminders`)).reminders;
  const soon = new Date(Date.now() + 2000).toISOString();
  await apiJson(page, 'PATCH', `/me/reminders/${reminder.reminderId}`, { scheduledTime: soon });

  const [delivered] = await eventually(() => (pushService.received.length ? pushService.received : undefined),
    20000, 'the reminder at the fake push service');
  assert.deepEqual(pushService.errors, [], 'every message had a valid VAPID JWT and decrypted');
  assert.equal(delivered.endpoint, subscription.endpoint);
  assert.deepEqual(delivered.payload, {
    title: 'Kefir reminder',
    body: suggestion.message,
    data: { batchId: batch.batchId, reminderId: reminder.reminderId, type: reminder.type },
  });
  const { publicKey } = await apiJson(page, 'GET', '/push/vapid-public-key');
  assert.equal(delivered.vapidPublicKey, publicKey, 'signed with the key the app subscribed with');
  await eventually(async () => {
    const [sent] = (await apiJson(page, 'GET', `/batches/${batch.batchId}/reminders`)).reminders;
    return sent.status === 'sent' || undefined;
  }, 10000, 'the reminder marked sent');
  await new Promise((resolve) => setTimeout(resolve, 1000));
  assert.equal(pushService.received.length, 1, 'sent exactly once');

  // Sign out everywhere: this browser goes back to the sign-in screen and the phone's session ends too.
  await page.goto(`${server.baseUrl}/#/settings`);
  await findText(page, 'h1', 'Settings');
  await clickText(page, 'Sign out everywhere');  // the confirmation dialog is accepted
  await findText(page, 'h1', 'Sign in');
  const phoneMe = await fetch(`${server.baseUrl}/me`, { headers: { authorization: `Bearer ${phone.accessToken}` } });
  assert.equal(phoneMe.status, 401, 'the other device\'s access token is refused');
  const phoneRefresh = await postJson(server, '/auth/refresh', { refreshToken: phone.refreshToken });
  assert.equal(phoneRefresh.status, 401, 'and so is its refresh token');
  assertNoProblems(page);
  await page.close();
});
