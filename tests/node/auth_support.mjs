// Shared by the sign-in tests written for Node: start the real `kefir serve` (port 0, a fresh DATA_DIR), follow its
// JSON log lines, and sign in through the stage dev outbox.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import readline from 'node:readline';

export const binary = process.env.KEFIR_BINARY;
assert.ok(binary, 'KEFIR_BINARY must name the kefir binary under test');

export async function eventually(check, timeoutMs = 10000, what = 'condition') {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const result = await check();
      if (result !== undefined && result !== false) return result;
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

// Starts kefir; resolves once it logs "listening". `env` is added to a minimal environment.
export async function startKefir(env = {}) {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'kefir-node-auth-'));
  const child = spawn(binary, ['serve'], {
    env: {
      PATH: process.env.PATH,
      ASAN_OPTIONS: process.env.ASAN_OPTIONS ?? '',
      STAGE: 'dev',
      PORT: '0',
      DATA_DIR: dataDir,
      EXPO_PUSH_URL: 'http://127.0.0.1:9/unused',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const server = { child, dataDir, lines: [], stderr: '', exited: null };
  readline.createInterface({ input: child.stdout }).on('line', (line) => server.lines.push(line));
  child.stderr.on('data', (chunk) => (server.stderr += chunk.toString()));
  const exited = new Promise((resolve) => child.on('exit', (code) => resolve((server.exited = code))));
  const listening = await Promise.race([
    eventually(() => server.lines.map(parseLine).find((line) => line?.msg === 'listening'), 30000, 'listening'),
    exited.then((code) => {
      throw new Error(`kefir exited with ${code} before listening: ${server.stderr}`);
    }),
  ]);
  server.baseUrl = `http://127.0.0.1:${listening.port}`;
  server.stop = async () => {
    if (server.exited === null) {
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  server.logs = () => server.lines.map(parseLine).filter(Boolean);
  return server;
}

function parseLine(line) {
  try {
    return JSON.parse(line);
  } catch {
    return null;
  }
}

export async function postJson(server, route, body) {
  const response = await fetch(server.baseUrl + route, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : null };
}

export function uniqueEmail(prefix) {
  return `${prefix}-${Math.random().toString(16).slice(2, 10)}@example.com`;
}

export function outboxCodes(dataDir, email) {
  const file = path.join(dataDir, 'outbox.log');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('----- mail\n')
    .filter((mail) => mail.startsWith(`To: ${email}\n`))
    .map((mail) => mail.match(/\b(\d{6})\b/)?.[1]);
}

// Signs in through the console outbox of stage dev; returns the /auth/verify body.
export async function signIn(server, email) {
  const known = outboxCodes(server.dataDir, email).length;
  const login = await postJson(server, '/auth/login', { email });
  assert.equal(login.status, 202, JSON.stringify(login.body));
  const code = await eventually(() => outboxCodes(server.dataDir, email)[known], 10000, `a code for ${email}`);
  const verify = await postJson(server, '/auth/verify', { email, code });
  assert.equal(verify.status, 200, JSON.stringify(verify.body));
  return verify.body;
}
