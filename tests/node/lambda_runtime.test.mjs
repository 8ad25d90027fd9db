// `kefir lambda` as a real process driven through a local Runtime API with API Gateway payload 2.0 events shaped
// as AWS documents them (tests/fixtures/lambda). KEFIR_LAMBDA_COMMAND runs the same flows against another build
// of the runtime, e.g. the arm64 bootstrap under qemu; KEFIR_LAMBDA_STORES=aws runs them with STORE=dynamodb
// BLOBS=s3 against DynamoDB Local and s3rver.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { startAwsPeers } from './lambda_aws_peers.mjs';
import { startExpoFake } from './fake_expo.mjs';
import { startFakePushService } from './fake_web_push.mjs';
import { RuntimeApiFake, fixture, lambdaCommand, startRuntime as startWithEnv, stopRuntime } from './lambda_runtime_fake.mjs';

const peers = process.env.KEFIR_LAMBDA_STORES === 'aws' ? await startAwsPeers() : null;
after(() => peers?.stop());
const startRuntime = (fake, env, command) => startWithEnv(fake, { ...peers?.env, ...env }, command);

const PUBLIC_BASE_URL = 'https://r3pmxmplak.execute-api.us-east-1.amazonaws.com';

function body(result) {
  assert.equal(result.kind, 'response', `invocation failed: ${JSON.stringify(result.body)}`);
  const payload = result.body;
  const text = payload.isBase64Encoded ? Buffer.from(payload.body, 'base64').toString('utf8') : payload.body;
  return payload.headers['content-type']?.startsWith('application/json') ? JSON.parse(text) : text;
}

function latestCode(dataDir, email) {
  const outbox = readFileSync(path.join(dataDir, 'outbox.log'), 'utf8');
  const mails = outbox.split('----- mail\n').filter((mail) => mail.startsWith(`To: ${email}\n`));
  assert.ok(mails.length > 0, `no mail to ${email} in the outbox`);
  return mails.at(-1).match(/\b(\d{6})\b/)[1];
}

async function eventually(check, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

// Signs a new user in through the http function; returns what the batch and device fixtures need.
async function signIn(fake, dataDir, email) {
  const login = await fake.invoke(fixture('auth-login.json', { email }));
  assert.equal(login.body.statusCode, 202, JSON.stringify(login.body));
  const code = await eventually(() => latestCode(dataDir, email));
  const verify = await fake.invoke(fixture('auth-verify.json', { email, code }));
  assert.equal(verify.body.statusCode, 200, JSON.stringify(verify.body));
  const session = body(verify);
  return { token: session.accessToken, issuer: PUBLIC_BASE_URL, user_id: session.user.userId };
}

describe('http handler', () => {
  let fake;
  let runtime;
  let dataDir;

  before(async () => {
    fake = await new RuntimeApiFake().start();
    dataDir = mkdtempSync(path.join(tmpdir(), 'kefir-lambda-'));
    runtime = startRuntime(fake, {
      DATA_DIR: dataDir,
      PUBLIC_BASE_URL,
      LOG_LEVEL: 'debug',
      EXPO_PUSH_URL: 'http://127.0.0.1:9/unused',
    });
  });

  after(async () => {
    await stopRuntime(runtime);
    await fake.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('an unknown route answers the router 404 as a payload 2.0 result', async () => {
    const result = await fake.invoke(fixture('unknown-route.json'));
    assert.equal(result.body.statusCode, 404);
    assert.equal(result.body.isBase64Encoded, false);
    assert.equal(result.body.headers['x-request-id'], 'JKJfSgPLvHcEJkQ');
    assert.equal(body(result).code, 'NOT_FOUND');
  });

  test('the trace id of each invocation is exported as _X_AMZN_TRACE_ID', async () => {
    const traceId = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1';
    const result = await fake.invoke(fixture('unknown-route.json'), { traceId });
    assert.equal(result.kind, 'response');
    const line = await eventually(() => {
      const found = runtime.logLines().find((l) => l.msg === 'invocation' && l.traceId === traceId);
      assert.ok(found, 'no invocation log line with the trace id');
      return found;
    });
    assert.ok(line.awsRequestId);
  });

  test('sign-in, then batches created (JSON and base64 bodies) and listed with repeated query keys', async () => {
    const claims = await signIn(fake, dataDir, 'brewer@example.com');

    const created = await fake.invoke(fixture('batches-create.json', { ...claims, name: 'Lemon ginger' }));
    assert.equal(created.body.statusCode, 201, JSON.stringify(created.body));
    assert.equal(body(created).batch.name, 'Lemon ginger');

    const encoded = Buffer.from(JSON.stringify({ name: 'Fig & vanilla ☕', stage: 'stage1_open' })).toString('base64');
    const fromBase64 = await fake.invoke(fixture('batches-create-base64.json', { ...claims, body_base64: encoded }));
    assert.equal(fromBase64.body.statusCode, 201, JSON.stringify(fromBase64.body));
    assert.equal(body(fromBase64).batch.name, 'Fig & vanilla ☕');

    await fake.invoke(fixture('batches-create.json', { ...claims, name: 'Third' }));
    // limit=2&limit=100: the first value counts, as through the Beast server (the comma-joined
    // queryStringParameters value "2,100" would be a 400).
    const listed = await fake.invoke(fixture('batches-list-repeated-keys.json', claims));
    assert.equal(listed.body.statusCode, 200, JSON.stringify(listed.body));
    const page = body(listed);
    assert.deepEqual(page.batches.map((b) => b.name), ['Third', 'Fig & vanilla ☕']);
    assert.equal(typeof page.nextCursor, 'string');

    const anonymous = await fake.invoke(fixture('batches-list-repeated-keys.json', { ...claims, token: 'x' }));
    assert.equal(anonymous.body.statusCode, 401);
  });

  test('an event that is not an HTTP API payload fails the invocation through /error', async () => {
    const result = await fake.invoke(fixture('eventbridge-scheduled.json'));
    assert.equal(result.kind, 'error');
    assert.equal(result.body.errorType, 'InvalidEvent');
    assert.match(result.body.errorMessage, /version/);
    assert.equal(result.headers['lambda-runtime-function-error-type'], 'InvalidEvent');
    const garbage = await fake.invoke('{"not json');
    assert.equal(garbage.kind, 'error');
    // The runtime goes on serving after a failed invocation.
    assert.equal((await fake.invoke(fixture('unknown-route.json'))).body.statusCode, 404);
  });
});

test('a bad configuration is reported to /init/error with the line kefir serve prints, exit code 2', async () => {
  const fake = await new RuntimeApiFake().start();
  const runtime = startRuntime(fake, { STAGE: 'staging' });
  try {
    const { body: error, headers } = await fake.initError();
    const { code } = await runtime.exited;
    assert.equal(code, 2);
    const serve = spawnSync(process.env.KEFIR_BINARY, ['serve'], { env: { PATH: process.env.PATH, STAGE: 'staging' } });
    assert.equal(serve.status, 2);
    assert.equal(error.errorMessage, serve.stderr.toString().trim());
    assert.equal(error.errorType, 'ConfigError');
    assert.equal(headers['lambda-runtime-function-error-type'], 'ConfigError');
    assert.equal(fake.nextCount, 0, 'no invocation may be fetched after an init error');
  } finally {
    await stopRuntime(runtime);
    await fake.close();
  }
});

test('an unknown _HANDLER is an init error', async () => {
  const fake = await new RuntimeApiFake().start();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'kefir-lambda-'));
  const runtime = startRuntime(fake, { DATA_DIR: dataDir, _HANDLER: 'index.handler' });
  try {
    const { body: error } = await fake.initError();
    assert.match(error.errorMessage, /^kefir: _HANDLER: .*index\.handler/);
    assert.equal((await runtime.exited).code, 2);
  } finally {
    await stopRuntime(runtime);
    await fake.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('Lambda starts the binary as `bootstrap` without arguments', { skip: process.env.KEFIR_LAMBDA_COMMAND !== undefined && 'the command under test is already a bootstrap' }, async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'kefir-bootstrap-'));
  symlinkSync(lambdaCommand()[0], path.join(dir, 'bootstrap'));
  const fake = await new RuntimeApiFake().start();
  const runtime = startRuntime(fake, { DATA_DIR: path.join(dir, 'data') }, [path.join(dir, 'bootstrap')]);
  try {
    const result = await fake.invoke(fixture('unknown-route.json'));
    assert.equal(result.body.statusCode, 404);
  } finally {
    await stopRuntime(runtime);
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

// The two functions of a reminder flow on one store, as in AWS: the API function and the scheduler function. The
// scheduler answers its first (idle) pass before the API function starts, so only one process creates the new
// SQLite store. A failure carries both functions' stderr; both are stopped after `run`, whatever happened.
async function withApiAndScheduler(env, run) {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'kefir-lambda-'));
  const fullEnv = { DATA_DIR: dataDir, PUBLIC_BASE_URL, ...env };
  const apiFake = await new RuntimeApiFake().start();
  const schedulerFake = await new RuntimeApiFake().start();
  const scheduler = startRuntime(schedulerFake, { ...fullEnv, _HANDLER: 'scheduler' });
  let api;
  try {
    const idle = await schedulerFake.invoke(fixture('eventbridge-scheduled.json'));
    assert.equal(idle.body.sent, 0, 'nothing to send before any reminder exists');
    api = startRuntime(apiFake, fullEnv);
    await run({ apiFake, schedulerFake, dataDir });
  } catch (error) {
    error.message += `\napi function stderr:\n${api?.output.stderr}\nscheduler stderr:\n${scheduler.output.stderr}`;
    throw error;
  } finally {
    if (api) await stopRuntime(api);
    await stopRuntime(scheduler);
    await apiFake.close();
    await schedulerFake.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

// Confirms a reminder due in two seconds and waits until it is due; returns the confirmed reminder.
async function confirmDueReminder(apiFake, claims, batchId, message) {
  const due = new Date(Date.now() + 2000);
  const confirmed = await apiFake.invoke(fixture('reminders-confirm.json', {
    ...claims, batch_id: batchId, scheduled_time: due.toISOString(), message,
  }));
  assert.equal(confirmed.body.statusCode, 201, JSON.stringify(confirmed.body));
  await new Promise((resolve) => setTimeout(resolve, due.getTime() - Date.now() + 200));
  return body(confirmed).reminders[0];
}

test('a scheduled event runs a reminder pass that delivers a due reminder to Expo, once', async () => {
  const expo = await startExpoFake();
  try {
    await withApiAndScheduler({ EXPO_PUSH_URL: expo.url, EXPO_RATE: '0' }, async ({ apiFake, schedulerFake, dataDir }) => {
      const claims = await signIn(apiFake, dataDir, 'reminded@example.com');
      const created = await apiFake.invoke(fixture('batches-create.json', { ...claims, name: 'Reminded batch' }));
      const batchId = body(created).batch.batchId;
      const device = await apiFake.invoke(fixture('devices-register.json', { ...claims, device_id: 'iphone-1', push_token: 'abcDEF123' }));
      assert.equal(device.body.statusCode, 201, JSON.stringify(device.body));
      const { reminderId } = await confirmDueReminder(apiFake, claims, batchId, 'Time to bottle');

      const deadline = Date.now() + 20000;
      const pass = await schedulerFake.invoke(fixture('eventbridge-scheduled.json'), { timeoutMs: 20000 });
      assert.equal(pass.kind, 'response', JSON.stringify(pass.body));
      assert.ok(Date.now() < deadline, 'the pass ends before the deadline');
      assert.equal(pass.body.sent, 1, JSON.stringify(pass.body));
      assert.equal(expo.messages.length, 1);
      const [message] = expo.messages;
      assert.equal(message.to, 'ExponentPushToken[abcDEF123]');
      assert.equal(message.title, 'Kefir reminder');
      assert.equal(message.body, 'Time to bottle');
      assert.equal(message.data.reminderId, reminderId);
      assert.equal(message.data.batchId, batchId);

      const again = await schedulerFake.invoke(fixture('eventbridge-scheduled.json'));
      assert.equal(again.body.sent, 0, 'a sent reminder is not sent again');
      assert.equal(expo.messages.length, 1);
    });
  } finally {
    await expo.close();
  }
});

test('a scheduled event sweeps silent sensors before its reminder pass, so the alert goes out in that pass', async () => {
  const expo = await startExpoFake();
  try {
    const env = { EXPO_PUSH_URL: expo.url, EXPO_RATE: '0', SENSOR_SILENCE: '1' };
    await withApiAndScheduler(env, async ({ apiFake, schedulerFake, dataDir }) => {
      const claims = await signIn(apiFake, dataDir, 'silent@example.com');
      const created = await apiFake.invoke(fixture('batches-create.json', { ...claims, name: 'Quiet jar' }));
      const batchId = body(created).batch.batchId;
      const device = await apiFake.invoke(fixture('devices-register.json', { ...claims, device_id: 'iphone-1', push_token: 'silent1' }));
      assert.equal(device.body.statusCode, 201, JSON.stringify(device.body));
      const sensor = await apiFake.invoke(fixture('sensors-create.json', { ...claims, name: 'Jar probe' }));
      assert.equal(sensor.body.statusCode, 201, JSON.stringify(sensor.body));
      const sensorId = body(sensor).sensor.sensorId;
      const attached = await apiFake.invoke(fixture('sensors-attach.json', { ...claims, sensor_id: sensorId, batch_id: batchId }));
      assert.equal(attached.body.statusCode, 200, JSON.stringify(attached.body));
      // One second of silence, plus the refresh period (as long again) a reading may be ahead of the watch.
      await new Promise((resolve) => setTimeout(resolve, 2500));

      const pass = await schedulerFake.invoke(fixture('eventbridge-scheduled.json'), { timeoutMs: 20000 });
      assert.equal(pass.body.silentSensors, 1, JSON.stringify(pass.body));
      assert.equal(pass.body.sent, 1, JSON.stringify(pass.body));
      assert.equal(expo.messages.length, 1);
      assert.equal(expo.messages[0].body, 'Jar probe on Quiet jar has sent nothing for 1 s');
      assert.equal(expo.messages[0].data.type, 'alert');

      const again = await schedulerFake.invoke(fixture('eventbridge-scheduled.json'));
      assert.equal(again.body.silentSensors, 0, 'no repeat until a reading re-arms it');
      assert.equal(expo.messages.length, 1);
    });
  } finally {
    await expo.close();
  }
});

test('Web Push from Lambda: the VAPID key comes in VAPID_PRIVATE_KEY, and the scheduler pass delivers', async () => {
  const push = await startFakePushService();
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  // As Lambda environments often carry it: one line, with literal \n sequences.
  const vapidPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).trim().replaceAll('\n', '\\n');
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' });
  const expectedKey = Buffer.concat([
    Buffer.from([4]), Buffer.from(jwk.x, 'base64url'), Buffer.from(jwk.y, 'base64url'),
  ]).toString('base64url');
  const env = { EXPO_PUSH_URL: 'http://127.0.0.1:9/unused', VAPID_PRIVATE_KEY: vapidPem };
  try {
    await withApiAndScheduler(env, async ({ apiFake, schedulerFake, dataDir }) => {
      const keyEvent = fixture('unknown-route.json');
      keyEvent.rawPath = keyEvent.requestContext.http.path = '/push/vapid-public-key';
      keyEvent.requestContext.http.method = 'GET';
      const key = await apiFake.invoke(keyEvent);
      assert.equal(key.body.statusCode, 200, JSON.stringify(key.body));
      assert.equal(body(key).publicKey, expectedKey);

      const claims = await signIn(apiFake, dataDir, 'browser@example.com');
      const created = await apiFake.invoke(fixture('batches-create.json', { ...claims, name: 'Browser batch' }));
      const batchId = body(created).batch.batchId;
      const subscription = push.subscribe();
      const register = fixture('devices-register.json', { ...claims, device_id: 'firefox', push_token: 'unused' });
      register.body = JSON.stringify({ deviceId: 'firefox', platform: 'web', subscription });
      const device = await apiFake.invoke(register);
      assert.equal(device.body.statusCode, 201, JSON.stringify(device.body));
      const { reminderId } = await confirmDueReminder(apiFake, claims, batchId, 'Time to bottle');

      const pass = await schedulerFake.invoke(fixture('eventbridge-scheduled.json'), { timeoutMs: 20000 });
      assert.equal(pass.body.sent, 1, JSON.stringify(pass.body));
      assert.deepEqual(push.errors, []);
      assert.equal(push.received.length, 1);
      assert.equal(push.received[0].vapidPublicKey, expectedKey);
      assert.equal(push.received[0].payload.body, 'Time to bottle');
      assert.equal(push.received[0].payload.data.reminderId, reminderId);
    });
  } finally {
    await push.close();
  }
});
