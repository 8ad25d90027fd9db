// An independent JWT implementation (npm jose) verifies kefir's tokens the way API Gateway's JWT authorizer does:
// from the OIDC discovery document to jwks_uri, checking alg, kid, iss and the audience of id tokens.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { calculateJwkThumbprint, createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';

import { postJson, signIn, startKefir, uniqueEmail } from './auth_support.mjs';

let server;
before(async () => {
  server = await startKefir();
});
after(async () => {
  await server?.stop();
});

async function discover() {
  const response = await fetch(`${server.baseUrl}/.well-known/openid-configuration`);
  assert.equal(response.status, 200);
  return response.json();
}

test('access and id tokens verify with jose through the discovery document', async () => {
  const email = uniqueEmail('jose');
  const session = await signIn(server, email);
  const discovery = await discover();
  assert.equal(discovery.issuer, server.baseUrl);
  assert.deepEqual(discovery.id_token_signing_alg_values_supported, ['RS256']);
  const jwks = createRemoteJWKSet(new URL(discovery.jwks_uri));

  const access = await jwtVerify(session.accessToken, jwks, { issuer: discovery.issuer, algorithms: ['RS256'] });
  assert.equal(access.protectedHeader.alg, 'RS256');
  assert.equal(access.payload.sub, session.user.userId);
  assert.equal(access.payload.token_use, 'access');
  assert.equal(access.payload.client_id, 'kefir-app');
  assert.equal(access.payload.exp - access.payload.iat, 3600);
  assert.match(access.payload.jti, /^[0-9a-f-]{36}$/);

  const id = await jwtVerify(session.idToken, jwks, {
    issuer: discovery.issuer,
    audience: 'kefir-app',
    algorithms: ['RS256'],
  });
  assert.equal(id.payload.token_use, 'id');
  assert.equal(id.payload.email, email);
  assert.equal(id.payload.email_verified, true);
  assert.equal(id.payload.sub, session.user.userId);
});

test('the kid is the RFC 7638 thumbprint of the published key', async () => {
  const session = await signIn(server, uniqueEmail('kid'));
  const { keys } = await (await fetch((await discover()).jwks_uri)).json();
  assert.equal(keys.length, 1);
  const [key] = keys;
  assert.equal(key.kty, 'RSA');
  assert.equal(key.alg, 'RS256');
  assert.equal(key.use, 'sig');
  assert.equal(key.d, undefined, 'no private parts');
  assert.equal(decodeProtectedHeader(session.accessToken).kid, key.kid);
  assert.equal(await calculateJwkThumbprint(key, 'sha256'), key.kid);
  assert.equal(Buffer.from(key.n, 'base64url').length, 256, 'RSA-2048');
});

test('rotated refresh tokens keep producing verifiable tokens; tampering does not pass', async () => {
  const session = await signIn(server, uniqueEmail('rotate'));
  const refreshed = await postJson(server, '/auth/refresh', { refreshToken: session.refreshToken });
  assert.equal(refreshed.status, 200);
  const discovery = await discover();
  const jwks = createRemoteJWKSet(new URL(discovery.jwks_uri));
  await jwtVerify(refreshed.body.accessToken, jwks, { issuer: discovery.issuer, algorithms: ['RS256'] });

  const [header, payload, signature] = refreshed.body.accessToken.split('.');
  const claims = JSON.parse(Buffer.from(payload, 'base64url'));
  claims.sub = 'someone-else';
  const forged = [header, Buffer.from(JSON.stringify(claims)).toString('base64url'), signature].join('.');
  await assert.rejects(jwtVerify(forged, jwks, { issuer: discovery.issuer, algorithms: ['RS256'] }));
  const me = await fetch(`${server.baseUrl}/me`, { headers: { authorization: `Bearer ${forged}` } });
  assert.equal(me.status, 401, 'kefir agrees with jose');
});
