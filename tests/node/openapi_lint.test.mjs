// docs/openapi.yaml through an independent validator (Redocly CLI's recommended rules), and docs/openapi.json
// (what the binary embeds and serves) regenerated from it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const root = process.env.KEFIR_SOURCE_DIR ?? path.resolve(import.meta.dirname, '../..');
const redocly = path.join(root, 'tests/node/node_modules/.bin/redocly');
const env = { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' };

test('redocly lint accepts docs/openapi.yaml', () => {
  const result = spawnSync(process.execPath, [redocly, 'lint', '--config', 'docs/redocly.yaml', 'docs/openapi.yaml'],
    { cwd: root, env, encoding: 'utf8', timeout: 120_000 });
  assert.equal(result.status, 0, result.stdout + result.stderr);
  assert.match(result.stdout + result.stderr, /valid/);
});

test('docs/openapi.json is regenerated from docs/openapi.yaml', () => {
  const result = spawnSync(path.join(root, 'ops/openapi/build-json'), ['--check'],
    { cwd: root, env, encoding: 'utf8', timeout: 120_000 });
  assert.equal(result.status, 0, result.stdout + result.stderr);
});
