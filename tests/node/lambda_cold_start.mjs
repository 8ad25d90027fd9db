// Cold start of the Lambda runtime: from spawning the process to the first result posted to the Runtime API
// (an invocation is queued before the process starts, as Lambda does for a cold invocation), in wall time and
// in CPU time the process used until then (user + system, all threads; 10 ms ticks), which a busy machine does
// not inflate. Not a test: a measurement for docs/performance.md. Usage:
//   KEFIR_SOURCE_DIR=. node tests/node/lambda_cold_start.mjs <runs> <command...>
//   e.g. build/release/kefir lambda, or /usr/bin/env LD_LIBRARY_PATH=<dir>/lib qemu-aarch64-static <dir>/bootstrap
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { RuntimeApiFake, fixture, startRuntime, stopRuntime } from './lambda_runtime_fake.mjs';

const [runsText, ...command] = process.argv.slice(2);
const runs = Number(runsText);
const event = fixture('aws-doc-example.json');
event.rawPath = '/healthz';
event.requestContext.http.method = 'GET';
delete event.body;

// As deployed: the signing key comes in JWT_PRIVATE_KEY and the VAPID key in VAPID_PRIVATE_KEY (without them,
// stage dev would generate them at start).
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = privateKey.export({ type: 'pkcs8', format: 'pem' });
const vapidKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' });
const samples = [];
const cpuSamples = [];
const ticksPerMs = 100 / 1000; // USER_HZ
const cpuMs = (pid) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / ticksPerMs; // utime, stime
};
for (let i = 0; i < runs; ++i) {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'kefir-cold-'));
  const fake = await new RuntimeApiFake().start();
  const outcome = fake.invoke(event);
  const started = performance.now();
  const runtime = startRuntime(fake, {
    DATA_DIR: dataDir, PUBLIC_BASE_URL: 'https://example.com', LOG_LEVEL: 'warn', JWT_PRIVATE_KEY: signingKey,
    VAPID_PRIVATE_KEY: vapidKey,
  }, command);
  const result = await outcome;
  if (result.body.statusCode !== 200) throw new Error(`unexpected result ${JSON.stringify(result.body)}`);
  samples.push(fake.firstPostAt - started);
  cpuSamples.push(cpuMs(runtime.pid));
  await stopRuntime(runtime);
  await fake.close();
  rmSync(dataDir, { recursive: true, force: true });
}
const summary = (values) => {
  values.sort((a, b) => a - b);
  const at = (q) => values[Math.min(values.length - 1, Math.floor(q * values.length))].toFixed(1);
  return `min ${at(0)}, median ${at(0.5)}, p90 ${at(0.9)}, max ${at(1)}`;
};
console.log(`cold start over ${runs} runs (ms): wall ${summary(samples)}; CPU ${summary(cpuSamples)}`);
