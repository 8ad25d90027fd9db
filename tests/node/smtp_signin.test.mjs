// Sign-in mail through a real SMTP server on loopback (npm smtp-server, parsed with mailparser): the code is read
// from the received message, never from the store. Also: retries of a temporarily failing server, STARTTLS when
// offered, a login that does not wait for a hanging server, and stage prod keeping codes, tokens and addresses
// out of the logs.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';

import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

import { binary, eventually, postJson, startKefir, uniqueEmail } from './auth_support.mjs';

const quietLogger = (commands) => ({
  info() {},
  warn() {},
  error() {},
  trace() {},
  fatal() {},
  debug(meta) {
    if (meta?.tnx === 'command') commands.push(meta.command);
  },
});

// An SMTP server that keeps every message it accepts, parsed. `rejectFirst` answers the first RCPT with a
// temporary 451; `starttls` offers STARTTLS (with smtp-server's own self-signed certificate).
async function startSmtp({ rejectFirst = false, starttls = false, users = null } = {}) {
  const received = [];
  const commands = [];
  let rejected = 0;
  const server = new SMTPServer({
    logger: quietLogger(commands),
    disabledCommands: starttls ? [] : ['STARTTLS'],
    authOptional: users === null,
    allowInsecureAuth: true,
    onAuth(auth, session, callback) {
      if (users && users[auth.username] === auth.password) return callback(null, { user: auth.username });
      return callback(new Error('bad credentials'));
    },
    onRcptTo(address, session, callback) {
      if (rejectFirst && rejected === 0) {
        rejected += 1;
        const error = new Error('mailbox busy, try again later');
        error.responseCode = 451;
        return callback(error);
      }
      return callback();
    },
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((mail) => {
          received.push({ mail, envelope: session.envelope, user: session.user });
          callback();
        })
        .catch(callback);
    },
  });
  server.on('error', () => {});
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: server.server.address().port,
    received,
    commands,
    rejections: () => rejected,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

function codeOf(mail) {
  const match = mail.text.match(/\b(\d{6})\b/);
  assert.ok(match, `no code in: ${mail.text}`);
  return match[1];
}

test('signs in with the code from a message delivered over SMTP, after a retry', async () => {
  const smtp = await startSmtp({ rejectFirst: true, users: { kefir: 's3cret' } });
  const server = await startKefir({
    SMTP_URL: `smtp://kefir:s3cret@127.0.0.1:${smtp.port}`,
    MAIL_FROM: 'Kefir Sign-in <signin@kefir.test>',
  });
  try {
    const email = uniqueEmail('smtp');
    const login = await postJson(server, '/auth/login', { email });
    assert.equal(login.status, 202);
    const { mail, envelope, user } = await eventually(() => smtp.received[0], 20000, 'a delivered message');
    assert.equal(smtp.rejections(), 1, 'the first attempt met a temporary failure');
    assert.equal(user, 'kefir', 'authenticated with the credentials of SMTP_URL');
    assert.equal(envelope.mailFrom.address, 'signin@kefir.test');
    assert.deepEqual(envelope.rcptTo.map((to) => to.address), [email]);
    assert.equal(mail.from.value[0].address, 'signin@kefir.test');
    assert.equal(mail.from.value[0].name, 'Kefir Sign-in');
    assert.equal(mail.to.value[0].address, email);
    assert.match(mail.subject, /sign-in code/i);
    assert.ok(mail.messageId);
    assert.ok(mail.date instanceof Date);
    const code = codeOf(mail);
    assert.ok(mail.html.includes(code), 'the HTML part carries the same code');
    assert.match(mail.text, /10 minutes/);
    assert.match(mail.html, /10 minutes/);

    const verify = await postJson(server, '/auth/verify', { email, code });
    assert.equal(verify.status, 200, JSON.stringify(verify.body));
    assert.equal(verify.body.user.email, email);
    assert.equal(existsSync(path.join(server.dataDir, 'outbox.log')), false, 'no console mail beside SMTP');

    // The server logs the delivery once the SMTP server has acknowledged it, which may follow the message.
    await eventually(() => server.logs().find((line) => line.msg === 'mail sent' && line.attempts === 2), 5000,
      'the "mail sent" log line after the second attempt');
    const logs = server.logs();
    assert.ok(logs.some((line) => line.msg === 'mail failed, will retry' && line.transport === 'smtp'));
  } finally {
    await server.stop();
    await smtp.close();
  }
});

test('uses STARTTLS when the server offers it, and refuses a certificate it cannot verify', async () => {
  const smtp = await startSmtp({ starttls: true });
  const server = await startKefir({ SMTP_URL: `smtp://127.0.0.1:${smtp.port}` });
  try {
    assert.equal((await postJson(server, '/auth/login', { email: uniqueEmail('tls') })).status, 202);
    await eventually(() => smtp.commands.includes('STARTTLS'), 10000, 'a STARTTLS command');
    const failure = await eventually(
      () => server.logs().find((line) => line.msg === 'mail failed, will retry'),
      15000,
      'the failed delivery in the log',
    );
    assert.match(failure.error, /SSL|certificate|TLS/i);
    assert.equal(smtp.received.length, 0, 'nothing was sent in the clear after STARTTLS failed');
    assert.ok(!smtp.commands.includes('DATA'));
  } finally {
    await server.stop();
    await smtp.close();
  }
});

test('a hanging SMTP server does not hold the login request', async () => {
  const sockets = [];
  const silent = net.createServer((socket) => sockets.push(socket)); // accepts and never says a word
  await new Promise((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const server = await startKefir({ SMTP_URL: `smtp://127.0.0.1:${silent.address().port}` });
  try {
    const started = Date.now();
    const login = await postJson(server, '/auth/login', { email: uniqueEmail('hang') });
    assert.equal(login.status, 202);
    assert.ok(Date.now() - started < 5000, `login took ${Date.now() - started} ms`);
    await eventually(() => sockets.length > 0, 5000, 'the mailer connecting');
  } finally {
    await server.stop();
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => silent.close(resolve));
  }
});

test('stage prod refuses to start without SMTP_URL', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'kefir-prod-'));
  try {
    const keyFile = path.join(dir, 'key.pem');
    writeFileSync(keyFile, rsaKeyPem(), { mode: 0o600 });
    const result = spawnSync(binary, ['serve'], {
      env: {
        PATH: process.env.PATH,
        STAGE: 'prod',
        PORT: '0',
        DATA_DIR: dir,
        JWT_PRIVATE_KEY_FILE: keyFile,
        PUBLIC_BASE_URL: 'https://api.kefir.test',
      },
      encoding: 'utf8',
      timeout: 30000,
    });
    assert.equal(result.status, 2, result.stderr);
    assert.match(result.stderr, /SMTP_URL/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

function rsaKeyPem() {
  return generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  }).privateKey;
}

test('stage prod: no code, token or full address in the logs', async () => {
  const smtp = await startSmtp();
  const dir = mkdtempSync(path.join(tmpdir(), 'kefir-prod-key-'));
  const keyFile = path.join(dir, 'key.pem');
  writeFileSync(keyFile, rsaKeyPem(), { mode: 0o600 });
  const server = await startKefir({
    STAGE: 'prod',
    JWT_PRIVATE_KEY_FILE: keyFile,
    VAPID_PRIVATE_KEY: generateKeyPairSync('ec', { namedCurve: 'P-256' })
      .privateKey.export({ type: 'pkcs8', format: 'pem' }),
    PUBLIC_BASE_URL: 'https://api.kefir.test',
    SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
    LOG_LEVEL: 'debug',
  });
  try {
    const email = uniqueEmail('private');
    const secrets = [email];
    assert.equal((await postJson(server, '/auth/login', { email })).status, 202);
    const { mail } = await eventually(() => smtp.received[0], 10000, 'the sign-in mail');
    const code = codeOf(mail);
    secrets.push(code);
    const wrong = code === '000000' ? '000001' : '000000';
    assert.equal((await postJson(server, '/auth/verify', { email, code: wrong })).status, 401);
    const session = await postJson(server, '/auth/verify', { email, code });
    assert.equal(session.status, 200);
    secrets.push(session.body.accessToken, session.body.idToken, session.body.refreshToken);
    const bearer = { authorization: `Bearer ${session.body.accessToken}` };
    assert.equal((await fetch(`${server.baseUrl}/me`, { headers: bearer })).status, 200);
    const refreshed = await postJson(server, '/auth/refresh', { refreshToken: session.body.refreshToken });
    assert.equal(refreshed.status, 200);
    secrets.push(refreshed.body.accessToken, refreshed.body.refreshToken);
    // Logout revokes the family: its log line names the family, not the token.
    assert.equal((await postJson(server, '/auth/logout', { refreshToken: refreshed.body.refreshToken })).status, 204);
    const bad = await fetch(`${server.baseUrl}/me`, { headers: { authorization: 'Bearer x.y.z' } });
    assert.equal(bad.status, 401);
    assert.equal((await fetch(`${server.baseUrl}/me`, { method: 'DELETE', headers: bearer })).status, 204);
    await eventually(() => server.logs().some((line) => line.msg === 'account deleted'), 5000, 'the deletion log');

    const everything = server.lines.join('\n') + server.stderr;
    for (const secret of secrets) {
      assert.ok(!everything.includes(secret), `the logs contain a secret: ${secret.slice(0, 12)}...`);
      // Tokens are long: no recognisable piece of one either (their signature part).
      if (secret.length > 100) assert.ok(!everything.includes(secret.split('.').at(-1).slice(0, 32)));
    }
    const masked = `${email[0]}***@example.com`;
    assert.ok(everything.includes(masked), 'addresses are logged masked');
  } finally {
    await server.stop();
    await smtp.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
