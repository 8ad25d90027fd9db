// Cold start of the Lambda runtime: from spawning the process to the first result posted to the Runtime API
// (an invocation is queued before the process starts, as Lambda does for a cold invocation). Not a test: a
// measurement for docs/performance.md. Usage:
//   KEFIR_SOURCE_DIR=. node tests/node/lambda_cold_start.mjs <runs> <command...>
//   e.g. build/release/kefir lambda, or /usr/bin/env LD_LIBRARY_PATH=<dir>/lib qemu-aarch64-static <dir>/bootstrap
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { RuntimeApiFake, fixture, startRuntime, stopRuntime } from './lambda_runtime_fake.mjs';

const [runsText, ...command] = process.argv.slice(2);
const runs = Number(runsText);
const event = fixture('aws-doc-example.json');
event.rawPath = '/healthz';
event.requestContext.http.method = 'GET';
delete event.body;

const samples = [];
for (let i = 0; i < runs; ++i) {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'kefir-cold-'));
  const fake = await new RuntimeApiFake().start();
  const outcome = fake.invoke(event);
  const started = performance.now();
  const runtime = startRuntime(fake, { DATA_DIR: dataDir, PUBLIC_BASE_URL: 'https://example.com', LOG_LEVEL: 'warn' }, command);
  const result = await outcome;
  if (result.body.statusCode !== 200) throw new Error(`unexpected result ${JSON.stringify(result.body)}`);
  samples.push(fake.firstPostAt - started);
  await stopRuntime(runtime);
  await fake.close();
  rmSync(dataDir, { recursive: true, force: true });
}
samples.sort((a, b) => a - b);
const at = (q) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))].toFixed(1);
console.log(`cold start over ${runs} runs (ms): min ${at(0)}, median ${at(0.5)}, p90 ${at(0.9)}, max ${at(1)}`);
