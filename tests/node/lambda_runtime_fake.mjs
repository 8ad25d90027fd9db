// A local stand-in for the AWS Lambda Runtime API (version 2018-06-01) on 127.0.0.1: it hands queued events to
// a real `kefir lambda` process through the long-polled /invocation/next and collects what the process posts to
// /response, /error and /init/error, the way Lambda does. Also loads the payload fixtures and starts the process.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';

const API = '/2018-06-01/runtime';

export class RuntimeApiFake {
  #server = http.createServer((req, res) => this.#handle(req, res));
  #queue = [];      // invocations waiting for a /next
  #waiting = [];    // /next requests waiting for an invocation
  #pending = new Map();  // request id -> {resolve, invocation}
  #initError = null;
  #initErrorWaiters = [];
  firstPostAt = null;  // performance.now() of the first result or init error posted
  nextCount = 0;

  async start() {
    await new Promise((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    return this;
  }

  get address() {
    return `127.0.0.1:${this.#server.address().port}`;
  }

  async close() {
    for (const res of this.#waiting) res.destroy();
    this.#server.closeAllConnections();
    await new Promise((resolve) => this.#server.close(resolve));
  }

  // Queues an event; resolves with {kind: 'response'|'error', body, headers} once the runtime posts the outcome.
  invoke(event, { timeoutMs = 30000, traceId = `Root=1-${Date.now().toString(16)}-${randomUUID().slice(0, 24)}` } = {}) {
    const invocation = {
      id: randomUUID(),
      payload: typeof event === 'string' ? event : JSON.stringify(event),
      deadline: Date.now() + timeoutMs,
      traceId,
    };
    // A runtime that died or hangs fails the test after the deadline instead of holding it until ctest's
    // timeout.
    const outcome = new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(invocation.id);
        reject(new Error(`no outcome for the invocation within ${timeoutMs + 10000} ms`));
      }, timeoutMs + 10000);
      timer.unref();
      this.#pending.set(invocation.id, { resolve: (value) => { clearTimeout(timer); resolve(value); }, invocation });
    });
    const waiter = this.#waiting.shift();
    if (waiter) this.#deliver(waiter, invocation);
    else this.#queue.push(invocation);
    return outcome;
  }

  // Resolves with the body the runtime posted to /init/error.
  initError() {
    if (this.#initError) return Promise.resolve(this.#initError);
    return new Promise((resolve) => this.#initErrorWaiters.push(resolve));
  }

  #deliver(res, invocation) {
    res.writeHead(200, {
      'content-type': 'application/json',
      'lambda-runtime-aws-request-id': invocation.id,
      'lambda-runtime-deadline-ms': String(invocation.deadline),
      'lambda-runtime-invoked-function-arn': 'arn:aws:lambda:us-east-1:123456789012:function:kefir-app-test-api',
      'lambda-runtime-trace-id': invocation.traceId,
    });
    res.end(invocation.payload);
  }

  async #handle(req, res) {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const text = Buffer.concat(chunks).toString('utf8');
    const answer = (status, body) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const url = new URL(req.url, 'http://runtime');
    if (req.method === 'GET' && url.pathname === `${API}/invocation/next`) {
      this.nextCount += 1;
      const invocation = this.#queue.shift();
      if (invocation) this.#deliver(res, invocation);
      else this.#waiting.push(res);
      return;
    }
    if (req.method !== 'POST') return answer(405, { errorType: 'MethodNotAllowed' });
    if (url.pathname === `${API}/init/error`) {
      this.firstPostAt ??= performance.now();
      this.#initError = { body: JSON.parse(text), headers: req.headers };
      for (const resolve of this.#initErrorWaiters.splice(0)) resolve(this.#initError);
      return answer(202, { status: 'OK' });
    }
    const match = url.pathname.match(new RegExp(`^${API}/invocation/([^/]+)/(response|error)$`));
    const pending = match && this.#pending.get(match[1]);
    if (!pending) return answer(400, { errorMessage: 'unknown request id', errorType: 'InvalidRequestID' });
    this.firstPostAt ??= performance.now();
    this.#pending.delete(match[1]);
    answer(202, { status: 'OK' });
    pending.resolve({ kind: match[2], body: text ? JSON.parse(text) : null, headers: req.headers, traceId: pending.invocation.traceId });
  }
}

// A payload fixture from tests/fixtures/lambda with its {{name}} placeholders filled in. Values go inside JSON
// strings (some inside a JSON body inside a string), so only characters that need no escaping are allowed.
export function fixture(name, values = {}) {
  const file = path.join(process.env.KEFIR_SOURCE_DIR, 'tests/fixtures/lambda', name);
  const text = readFileSync(file, 'utf8').replace(/\{\{(\w+)\}\}/g, (_, key) => {
    const value = values[key];
    if (value === undefined) throw new Error(`${name}: no value for {{${key}}}`);
    if (!/^[\w.@+\-=/:, ]*$/.test(value)) throw new Error(`${name}: {{${key}}} value needs escaping`);
    return value;
  });
  return JSON.parse(text);
}

// How to start the runtime: `kefir lambda` by default; KEFIR_LAMBDA_COMMAND (JSON array, e.g. the arm64
// bootstrap under qemu) replaces it.
export function lambdaCommand() {
  if (process.env.KEFIR_LAMBDA_COMMAND) return JSON.parse(process.env.KEFIR_LAMBDA_COMMAND);
  return [process.env.KEFIR_BINARY, 'lambda'];
}

// Starts the runtime as a real process pointed at `fake`, with a minimal environment plus `env`.
export function startRuntime(fake, env, command = lambdaCommand()) {
  const base = {};
  for (const name of ['PATH', 'HOME', 'TMPDIR', 'LANG', 'ASAN_OPTIONS', 'UBSAN_OPTIONS', 'LSAN_OPTIONS']) {
    if (process.env[name] !== undefined) base[name] = process.env[name];
  }
  const child = spawn(command[0], command.slice(1), {
    env: { ...base, AWS_LAMBDA_RUNTIME_API: fake.address, _HANDLER: 'http', STAGE: 'dev', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = { stdout: '', stderr: '' };
  child.stdout.on('data', (data) => { output.stdout += data; });
  child.stderr.on('data', (data) => { output.stderr += data; });
  child.output = output;
  child.exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  child.logLines = () => output.stdout.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line));
  return child;
}

export async function stopRuntime(child) {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  return child.exited;
}
