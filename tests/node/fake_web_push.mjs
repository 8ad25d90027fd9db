// A local push service for tests, checking every message on its own (node:crypto only, nothing shared with the
// C++ code): the VAPID JWT of RFC 8292 is verified with the key the request names, and the body is decrypted
// per RFC 8291 / RFC 8188 with the subscription's private key. A message that fails a check is answered 400
// and recorded in `errors`, so a test can assert that none happened.
import { createDecipheriv, createECDH, createPublicKey, hkdfSync, randomBytes, verify } from 'node:crypto';
import http from 'node:http';

const MAX_JWT_LIFETIME_S = 24 * 3600;
const REQUIRED_HEADERS = {
  'content-encoding': 'aes128gcm',
  'content-type': 'application/octet-stream',
  urgency: 'high',
};

const b64url = (buffer) => Buffer.from(buffer).toString('base64url');

function p256PublicKey(raw) {
  if (raw.length !== 65 || raw[0] !== 4) throw new Error('k= is not an uncompressed P-256 point');
  return createPublicKey({
    key: { kty: 'EC', crv: 'P-256', x: b64url(raw.subarray(1, 33)), y: b64url(raw.subarray(33)) },
    format: 'jwk',
  });
}

// `vapid t=<jwt>, k=<key>` → the claims, once the ES256 signature, aud, exp and sub check out.
function verifyVapid(authorization, origin) {
  const match = /^vapid t=([^,\s]+),\s*k=([A-Za-z0-9_-]+)$/.exec(authorization ?? '');
  if (!match) throw new Error(`Authorization is not "vapid t=..., k=...": ${authorization}`);
  const [, jwt, key] = match;
  const parts = jwt.split('.');
  if (parts.length !== 3) throw new Error('the JWT does not have three parts');
  const header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'));
  if (header.alg !== 'ES256') throw new Error(`JWT alg is ${header.alg}, not ES256`);
  const signature = Buffer.from(parts[2], 'base64url');
  if (signature.length !== 64) throw new Error(`the ES256 signature has ${signature.length} bytes, not 64 (r||s)`);
  const publicKey = p256PublicKey(Buffer.from(key, 'base64url'));
  const signed = Buffer.from(`${parts[0]}.${parts[1]}`);
  if (!verify('sha256', signed, { key: publicKey, dsaEncoding: 'ieee-p1363' }, signature))
    throw new Error('the JWT signature does not verify with the k= key');
  const claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
  if (claims.aud !== origin) throw new Error(`aud ${claims.aud} is not ${origin}`);
  const now = Math.floor(Date.now() / 1000);
  if (!Number.isInteger(claims.exp) || claims.exp <= now) throw new Error(`exp ${claims.exp} is not in the future`);
  if (claims.exp > now + MAX_JWT_LIFETIME_S) throw new Error(`exp ${claims.exp} is more than 24 h ahead`);
  if (typeof claims.sub !== 'string' || !/^(mailto:|https:)/.test(claims.sub))
    throw new Error(`sub ${claims.sub} is not a mailto: or https: URL`);
  return { claims, vapidPublicKey: key };
}

// RFC 8291 §3.4 with RFC 8188: salt(16) rs(4) idlen(1) keyid(as_public) then one record.
function decryptBody(body, subscription) {
  if (body.length < 21) throw new Error('the body is shorter than an aes128gcm header');
  const salt = body.subarray(0, 16);
  const rs = body.readUInt32BE(16);
  const idlen = body[20];
  if (idlen !== 65) throw new Error(`keyid has ${idlen} bytes, not the 65 of a P-256 point`);
  const asPublic = body.subarray(21, 21 + idlen);
  const record = body.subarray(21 + idlen);
  if (record.length > rs) throw new Error(`the record (${record.length} bytes) exceeds rs ${rs}`);
  if (record.length < 17) throw new Error('the record is shorter than its tag');
  const shared = subscription.ecdh.computeSecret(asPublic);
  const label = (text, ...parts) => Buffer.concat([Buffer.from(`${text}\0`), ...parts]);
  const ikm = Buffer.from(
    hkdfSync('sha256', shared, subscription.auth, label('WebPush: info', subscription.p256dh, asPublic), 32),
  );
  const cek = Buffer.from(hkdfSync('sha256', ikm, salt, label('Content-Encoding: aes128gcm'), 16));
  const nonce = Buffer.from(hkdfSync('sha256', ikm, salt, label('Content-Encoding: nonce'), 12));
  const decipher = createDecipheriv('aes-128-gcm', cek, nonce);
  decipher.setAuthTag(record.subarray(record.length - 16));
  const padded = Buffer.concat([decipher.update(record.subarray(0, record.length - 16)), decipher.final()]);
  let end = padded.length - 1;
  while (end >= 0 && padded[end] === 0) end -= 1;
  if (end < 0 || padded[end] !== 2) throw new Error('the only record does not end with the 0x02 delimiter');
  return padded.subarray(0, end);
}

function readBody(request) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    request.on('data', (chunk) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

// Starts the fake on a loopback port. `respondWith(endpoint, status)` sets the answer for one endpoint, or for
// every endpoint with '*'; `status` is a number, or an array of numbers answered one request each before the
// default 201 comes back.
export async function startFakePushService() {
  const subscriptions = new Map(); // endpoint → { ecdh, p256dh, auth }
  const answers = new Map(); // endpoint or '*' → number | number[]
  const received = [];
  const errors = [];

  const statusFor = (endpoint) => {
    for (const key of [endpoint, '*']) {
      const answer = answers.get(key);
      if (answer === undefined) continue;
      if (!Array.isArray(answer)) return answer;
      const next = answer.shift();
      if (answer.length === 0) answers.delete(key);
      if (next !== undefined) return next;
    }
    return 201;
  };

  const server = http.createServer(async (request, response) => {
    const endpoint = `${origin}${request.url}`;
    const body = await readBody(request);
    const answer = (status) => {
      response.writeHead(status);
      response.end();
    };
    try {
      if (request.method !== 'POST') throw new Error(`${request.method} instead of POST`);
      const subscription = subscriptions.get(endpoint);
      if (!subscription) throw new Error(`no subscription has the endpoint ${endpoint}`);
      for (const [name, value] of Object.entries(REQUIRED_HEADERS))
        if (request.headers[name] !== value) throw new Error(`${name} is ${request.headers[name]}, not ${value}`);
      if (!/^\d+$/.test(request.headers.ttl ?? '')) throw new Error(`TTL is ${request.headers.ttl}`);
      const { claims, vapidPublicKey } = verifyVapid(request.headers.authorization, origin);
      const payload = JSON.parse(decryptBody(body, subscription).toString('utf8'));
      const status = statusFor(endpoint);
      received.push({ endpoint, payload, vapidPublicKey, claims, headers: request.headers, status });
      answer(status);
    } catch (error) {
      errors.push({ endpoint, error: error.message });
      answer(400);
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${server.address().port}`;

  return {
    url: origin,
    received,
    errors,
    // A fresh browser subscription: PushSubscription.toJSON() with a new P-256 key pair and auth secret.
    subscribe() {
      const ecdh = createECDH('prime256v1');
      const p256dh = ecdh.generateKeys();
      const auth = randomBytes(16);
      const endpoint = `${origin}/push/${randomBytes(12).toString('hex')}`;
      subscriptions.set(endpoint, { ecdh, p256dh, auth });
      return { endpoint, expirationTime: null, keys: { p256dh: b64url(p256dh), auth: b64url(auth) } };
    },
    respondWith(endpointOrAll, status) {
      answers.set(endpointOrAll, Array.isArray(status) ? [...status] : status);
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}
