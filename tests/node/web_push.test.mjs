// Web Push end to end: a real `kefir serve` registers browser subscriptions and delivers confirmed reminders to
// a local push service (fake_web_push.mjs) that verifies each VAPID JWT and decrypts each body on its own.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { eventually, signIn, startKefir, uniqueEmail } from './auth_support.mjs';
import { startExpoFake } from './fake_expo.mjs';
import { startFakePushService } from './fake_web_push.mjs';

let kefir;
let push;
let expo;

before(async () => {
  push = await startFakePushService();
  expo = await startExpoFake();
  kefir = await startKefir({ EXPO_PUSH_URL: expo.url, EXPO_RATE: '0' });
});

after(async () => {
  await kefir?.stop();
  await push?.close();
  await expo?.close();
});

async function call(method, route, { token, body } = {}) {
  const headers = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(kefir.baseUrl + route, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

async function newUser(prefix) {
  const { accessToken } = await signIn(kefir, uniqueEmail(prefix));
  const batch = await call('POST', '/batches', {
    token: accessToken,
    body: { name: 'Hibiscus', stage: 'stage1_open' },
  });
  assert.equal(batch.status, 201, JSON.stringify(batch.body));
  return { token: accessToken, batchId: batch.body.batch.batchId };
}

async function registerBrowser(user, deviceId) {
  const subscription = push.subscribe();
  const response = await call('POST', '/me/devices', {
    token: user.token,
    body: { deviceId, platform: 'web', subscription, deviceName: 'Firefox' },
  });
  assert.equal(response.status, 201, JSON.stringify(response.body));
  return subscription;
}

async function confirmSoon(user, message = 'Time to taste your kefir') {
  const scheduledTime = new Date(Date.now() + 1500).toISOString();
  const response = await call('POST', `/batches/${user.batchId}/reminders/confirm`, {
    token: user.token,
    body: { reminders: [{ scheduledTime, message, type: 'midpoint_check' }] },
  });
  assert.equal(response.status, 201, JSON.stringify(response.body));
  return response.body.reminders[0];
}

async function reminderOf(user, reminderId) {
  const listed = await call('GET', '/me/reminders?includeAll=true', { token: user.token });
  return listed.body.reminders.find((r) => r.reminderId === reminderId);
}

async function settled(user, reminderId, timeoutMs = 20000) {
  return eventually(
    async () => {
      const reminder = await reminderOf(user, reminderId);
      return ['sent', 'failed'].includes(reminder.status) ? reminder : undefined;
    },
    timeoutMs,
    `reminder ${reminderId} to settle`,
  );
}

const deliveriesTo = (endpoint) => push.received.filter((m) => m.endpoint === endpoint);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

test('the VAPID public key is an uncompressed P-256 point, without authentication', async () => {
  const response = await call('GET', '/push/vapid-public-key');
  assert.equal(response.status, 200);
  assert.deepEqual(Object.keys(response.body), ['publicKey']);
  assert.match(response.body.publicKey, /^[A-Za-z0-9_-]+$/);
  const point = Buffer.from(response.body.publicKey, 'base64url');
  assert.equal(point.length, 65);
  assert.equal(point[0], 4);
});

test('a confirmed reminder reaches the browser once, encrypted and signed with the advertised key', async () => {
  const user = await newUser('webpush');
  const subscription = await registerBrowser(user, 'firefox-1');
  const listed = await call('GET', '/me/devices', { token: user.token });
  assert.equal(listed.body.devices.length, 1);
  const device = listed.body.devices[0];
  assert.equal(device.platform, 'web');
  assert.equal(device.endpoint, subscription.endpoint);
  assert.equal(device.token, null);
  assert.ok(!JSON.stringify(listed.body).includes(subscription.keys.p256dh), 'keys are never listed');
  assert.ok(!JSON.stringify(listed.body).includes(subscription.keys.auth), 'keys are never listed');

  const reminder = await confirmSoon(user, 'Halfway check: taste your water kefir');
  const [message] = await eventually(() => {
    const got = deliveriesTo(subscription.endpoint);
    return got.length > 0 ? got : undefined;
  }, 15000, 'the web push');
  const sent = await settled(user, reminder.reminderId);
  await sleep(1500); // nothing else arrives later
  assert.equal(deliveriesTo(subscription.endpoint).length, 1);
  assert.deepEqual(push.errors, []);

  assert.deepEqual(message.payload, {
    title: 'Kefir reminder',
    body: 'Halfway check: taste your water kefir',
    data: { batchId: user.batchId, reminderId: reminder.reminderId, type: 'midpoint_check' },
  });
  const { publicKey } = (await call('GET', '/push/vapid-public-key')).body;
  assert.equal(message.vapidPublicKey, publicKey, 'the JWT verified with the advertised key');
  assert.equal(message.claims.aud, push.url);
  assert.match(message.claims.sub, /^mailto:/);
  const lifetime = message.claims.exp - Math.floor(Date.now() / 1000);
  assert.ok(lifetime > 11 * 3600 && lifetime <= 12 * 3600, `exp ${lifetime} s ahead, expected 12 h`);
  assert.equal(message.headers.ttl, '86400');
  assert.equal(message.headers.urgency, 'high');
  assert.equal(sent.status, 'sent');
  assert.equal(sent.attempts, 1);
});

test('a sensor reading outside the safe range alerts the browser once, until a reading inside re-arms it', async () => {
  const user = await newUser('webpush-alert');
  const subscription = await registerBrowser(user, 'firefox-alert');
  const created = await call('POST', '/me/sensors', { token: user.token, body: { name: 'Jar probe' } });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const attached = await call('PATCH', `/me/sensors/${created.body.sensor.sensorId}`, {
    token: user.token,
    body: { batchId: user.batchId },
  });
  assert.equal(attached.status, 200, JSON.stringify(attached.body));
  const ingest = async (temperature) => {
    const response = await call('POST', `/ingest/${created.body.token}`, { body: { temperature } });
    assert.ok([201, 202].includes(response.status), JSON.stringify(response.body));
  };

  await ingest(33); // water kefir is safe at 18-30 °C
  await ingest(34); // still out: no repeat
  const [message] = await eventually(() => {
    const got = deliveriesTo(subscription.endpoint);
    return got.length > 0 ? got : undefined;
  }, 15000, 'the alert as a web push');
  assert.equal(message.payload.body, 'Hibiscus is at 33.0 °C, outside the safe 18-30 °C for water kefir');
  assert.equal(message.payload.data.type, 'alert');
  assert.equal(message.payload.data.batchId, user.batchId);
  const { publicKey } = (await call('GET', '/push/vapid-public-key')).body;
  assert.equal(message.vapidPublicKey, publicKey, 'the JWT verified with the advertised key');
  await sleep(1500);
  assert.equal(deliveriesTo(subscription.endpoint).length, 1);

  await ingest(24); // recovered: re-armed
  await ingest(31);
  await eventually(() => deliveriesTo(subscription.endpoint).length === 2 || undefined, 15000, 'the second alert');
  assert.equal(
    deliveriesTo(subscription.endpoint)[1].payload.body,
    'Hibiscus is at 31.0 °C, outside the safe 18-30 °C for water kefir',
  );
  assert.deepEqual(push.errors, []);
});

test('a 410 from the push service deletes the device', async () => {
  const user = await newUser('webpush-gone');
  const subscription = await registerBrowser(user, 'old-browser');
  push.respondWith(subscription.endpoint, 410);
  const reminder = await confirmSoon(user);
  const failed = await settled(user, reminder.reminderId);
  assert.equal(failed.status, 'failed');
  assert.equal(failed.failureReason, 'web_push_failed: http_410');
  const listed = await call('GET', '/me/devices', { token: user.token });
  assert.deepEqual(listed.body.devices, []);
  // Its claim went with it: another account may register the same subscription as new.
  const other = await newUser('webpush-gone-other');
  const again = await call('POST', '/me/devices', {
    token: other.token,
    body: { deviceId: 'browser', platform: 'web', subscription },
  });
  assert.equal(again.status, 201, JSON.stringify(again.body));
  assert.deepEqual(push.errors, []);
});

test('server errors are retried with backoff, then the reminder is delivered once', async () => {
  const user = await newUser('webpush-retry');
  const subscription = await registerBrowser(user, 'flaky');
  push.respondWith(subscription.endpoint, [500, 500]);
  const reminder = await confirmSoon(user);
  const sent = await settled(user, reminder.reminderId, 30000);
  assert.equal(sent.status, 'sent');
  assert.equal(sent.attempts, 3);
  assert.deepEqual(
    deliveriesTo(subscription.endpoint).map((m) => m.status),
    [500, 500, 201],
  );
  assert.deepEqual(push.errors, []);
});

test('a browser that accepted is not sent to again while another one is retried', async () => {
  const user = await newUser('webpush-mixed');
  const steady = await registerBrowser(user, 'steady');
  const flaky = await registerBrowser(user, 'flaky');
  push.respondWith(flaky.endpoint, [503]);
  const reminder = await confirmSoon(user);
  await eventually(() => deliveriesTo(flaky.endpoint).length === 2, 20000, 'the retry');
  const sent = await settled(user, reminder.reminderId);
  assert.equal(sent.status, 'sent');
  assert.equal(deliveriesTo(steady.endpoint).length, 1);
  assert.deepEqual(
    deliveriesTo(flaky.endpoint).map((m) => m.status),
    [503, 201],
  );
});

test('a phone and a browser: Expo as before, and a browser retry does not send to the phone again', async () => {
  const user = await newUser('webpush-phone');
  const phone = await call('POST', '/me/devices', {
    token: user.token,
    body: { deviceId: 'iphone', platform: 'ios', token: 'ExponentPushToken[mixed-phone]' },
  });
  assert.equal(phone.status, 201, JSON.stringify(phone.body));
  const browser = await registerBrowser(user, 'laptop');
  push.respondWith(browser.endpoint, [500]);
  const reminder = await confirmSoon(user, 'Bottle it');
  await eventually(() => deliveriesTo(browser.endpoint).length === 2, 20000, 'the browser retry');
  const sent = await settled(user, reminder.reminderId);
  assert.equal(sent.status, 'sent');
  assert.equal(sent.attempts, 2);
  const toPhone = expo.messages.filter((m) => m.data.reminderId === reminder.reminderId);
  assert.equal(toPhone.length, 1, 'the phone got it once');
  assert.equal(toPhone[0].to, 'ExponentPushToken[mixed-phone]');
  assert.equal(toPhone[0].body, 'Bottle it');
  assert.deepEqual(
    deliveriesTo(browser.endpoint).map((m) => m.status),
    [500, 201],
  );
  assert.equal(deliveriesTo(browser.endpoint)[1].payload.body, 'Bottle it');
});

test('invalid web subscriptions are rejected naming the field', async () => {
  const user = await newUser('webpush-invalid');
  const good = push.subscribe();
  const fieldsOf = async (body) => {
    const response = await call('POST', '/me/devices', { token: user.token, body });
    assert.equal(response.status, 400, JSON.stringify(response.body));
    assert.equal(response.body.code, 'VALIDATION_ERROR');
    return response.body.details.map((d) => d.field);
  };
  const web = (subscription, extra = {}) => ({ deviceId: 'b1', platform: 'web', subscription, ...extra });
  const withKeys = (keys) => ({ ...good, keys: { ...good.keys, ...keys } });

  assert.deepEqual(await fieldsOf({ deviceId: 'b1', platform: 'web' }), ['subscription']);
  assert.deepEqual(await fieldsOf(web(good, { token: 'ExponentPushToken[abc]' })), ['token']);
  assert.deepEqual(
    await fieldsOf({ deviceId: 'p1', platform: 'ios', token: 'ExponentPushToken[abc]', subscription: good }),
    ['subscription'],
  );
  assert.deepEqual(await fieldsOf(web({ ...good, endpoint: 'not a url' })), ['subscription.endpoint']);
  assert.deepEqual(await fieldsOf(web({ ...good, endpoint: 'ftp://push.example/x' })), ['subscription.endpoint']);
  assert.deepEqual(
    await fieldsOf(web({ ...good, endpoint: `https://push.example/${'x'.repeat(2048)}` })),
    ['subscription.endpoint'],
  );
  assert.deepEqual(await fieldsOf(web({ ...good, expirationTime: 'soon' })), ['subscription.expirationTime']);
  assert.deepEqual(await fieldsOf(web({ endpoint: good.endpoint })), ['subscription.keys']);
  // 65 bytes, but not a point on the curve.
  const offCurve = Buffer.alloc(65, 7);
  offCurve[0] = 4;
  assert.deepEqual(await fieldsOf(web(withKeys({ p256dh: offCurve.toString('base64url') }))), [
    'subscription.keys.p256dh',
  ]);
  assert.deepEqual(await fieldsOf(web(withKeys({ p256dh: good.keys.p256dh.slice(0, 40) }))), [
    'subscription.keys.p256dh',
  ]);
  assert.deepEqual(await fieldsOf(web(withKeys({ auth: Buffer.alloc(15).toString('base64url') }))), [
    'subscription.keys.auth',
  ]);
  assert.deepEqual(await fieldsOf(web(withKeys({ extra: 'x' }))), ['subscription.keys.extra']);
  assert.deepEqual(await fieldsOf(web({ ...good, topic: 'x' })), ['subscription.topic']);

  const listed = await call('GET', '/me/devices', { token: user.token });
  assert.deepEqual(listed.body.devices, []);
});
