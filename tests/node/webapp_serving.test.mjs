// The web app as the binary serves it: every file of web/ under this build's version, immutable and tagged;
// the page and the service worker revalidated (ETag, 304); the strict CSP; wrong versions and files 404.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { startKefir } from './auth_support.mjs';

const webDir = path.join(process.env.KEFIR_SOURCE_DIR ?? path.join(import.meta.dirname, '../..'), 'web');
const webFiles = readdirSync(webDir, { recursive: true, withFileTypes: true })
  .filter((entry) => entry.isFile())
  .map((entry) => path.relative(webDir, path.join(entry.parentPath, entry.name)));

let server;
let version;
before(async () => {
  server = await startKefir();
  const page = await (await fetch(`${server.baseUrl}/`)).text();
  version = /\/app\/([0-9a-f]{12})\/main\.js/.exec(page)?.[1];
  assert.ok(version, 'the page loads main.js from a versioned path');
});
after(() => server?.stop());

test('the page is revalidated with a strong ETag, carries the strict CSP and has no inline script', async () => {
  const response = await fetch(`${server.baseUrl}/`);
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type'), /^text\/html/);
  assert.equal(response.headers.get('cache-control'), 'no-cache');
  const etag = response.headers.get('etag');
  assert.match(etag, /^"[0-9a-f]+"$/);
  const csp = response.headers.get('content-security-policy');
  for (const directive of ["default-src 'none'", "script-src 'self'", "style-src 'self'", "worker-src 'self'",
    "manifest-src 'self'", "base-uri 'none'", "frame-ancestors 'none'", `connect-src 'self' ${server.baseUrl}`])
    assert.ok(csp.includes(directive), `${directive} in ${csp}`);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
  const html = await response.text();
  assert.doesNotMatch(html, /__APP_VERSION__/);
  for (const [, attributes, body] of html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)) {
    assert.match(attributes, /\ssrc="\/app\//, 'every script is a file');
    assert.equal(body.trim(), '', 'no inline script');
  }
  assert.doesNotMatch(html, /\son[a-z]+=/i, 'no inline event handlers');

  const again = await fetch(`${server.baseUrl}/`, { headers: { 'if-none-match': etag } });
  assert.equal(again.status, 304);
  assert.equal(again.headers.get('etag'), etag);
  assert.equal(await again.text(), '');
  const listed = await fetch(`${server.baseUrl}/`, { headers: { 'if-none-match': `"other", W/${etag}` } });
  assert.equal(listed.status, 304, 'If-None-Match compares weakly and takes a list');
  const head = await fetch(`${server.baseUrl}/`, { method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.equal(head.headers.get('etag'), etag);
});

test('every file of web/ is served under the version, immutable, with a strong ETag and 304', async () => {
  for (const file of webFiles) {
    const url = `${server.baseUrl}/app/${version}/${file}`;
    const response = await fetch(url);
    assert.equal(response.status, 200, url);
    assert.equal(response.headers.get('cache-control'), 'public, max-age=31536000, immutable', file);
    const body = await response.text();
    if (file !== 'index.html' && file !== 'sw.js') assert.equal(body, readFileSync(path.join(webDir, file), 'utf8'), file);
    const etag = response.headers.get('etag');
    assert.match(etag, /^"[0-9a-f]+"$/, file);
    const again = await fetch(url, { headers: { 'if-none-match': etag } });
    assert.equal(again.status, 304, file);
  }
  const types = Object.fromEntries(await Promise.all(['main.js', 'app.css', 'icon.svg', 'manifest.webmanifest'].map(async (file) =>
    [file, (await fetch(`${server.baseUrl}/app/${version}/${file}`)).headers.get('content-type')])));
  assert.deepEqual(types, {
    'main.js': 'text/javascript; charset=utf-8', 'app.css': 'text/css; charset=utf-8', 'icon.svg': 'image/svg+xml',
    'manifest.webmanifest': 'application/manifest+json',
  });
});

test('the service worker is at the root, revalidated, and keeps every file of the shell', async () => {
  const response = await fetch(`${server.baseUrl}/sw.js`);
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type'), /^text\/javascript/);
  assert.equal(response.headers.get('cache-control'), 'no-cache');
  assert.equal(response.headers.get('content-security-policy'), (await fetch(`${server.baseUrl}/`)).headers.get('content-security-policy'),
    'the worker runs under the app\'s policy (its fetches too)');
  const script = await response.text();
  assert.ok(script.includes(`const VERSION = '${version}'`));
  const shell = new Set([...script.matchAll(/'([\w/-]+\.(?:js|css|svg|webmanifest))'/g)].map((match) => match[1]));
  for (const file of webFiles.filter((file) => file !== 'index.html' && file !== 'sw.js'))
    assert.ok(shell.has(file), `sw.js keeps ${file} for offline use`);
  const again = await fetch(`${server.baseUrl}/sw.js`, { headers: { 'if-none-match': response.headers.get('etag') } });
  assert.equal(again.status, 304);
});

test('another version or an unknown file is 404', async () => {
  for (const target of [`/app/000000000000/main.js`, `/app/${version}/nope.js`, `/app/${version}/../src/main.cpp`, `/app/${version}/`]) {
    const response = await fetch(server.baseUrl + target);
    assert.equal(response.status, 404, target);
    await response.arrayBuffer();
  }
});
