// The exchange: the seed flow both ways, a request made the way the public
// TypeScript clients make it, the header forms Node has, and large bodies
// off the event loop.

import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import * as jose from 'jose';

import {
  ACCESS_KEY,
  ASP_ID,
  CANCEL,
  KEY_B,
  RSA_KEY,
  SECRET,
  SEED_REQUEST,
  SEED_RESPONSE,
  dirVectors,
  km,
  parties,
  vectorFile,
} from './support.mjs';

test('the seed flow: fields sealed on the way back, opened by the client', () => {
  const { client, server } = parties();
  const request = client.prepare('POST', CANCEL, SEED_REQUEST);
  assert.equal(request.body.toString(), SEED_REQUEST);
  assert.equal(request.body, request.body, 'one Buffer, made once');
  assert.equal(request.headers['X-KM-Tran-Token'].length, 66);
  assert.equal(request.headers['X-KM-Correlation-Id'], request.correlationId);
  const accepted = server.accept('POST', CANCEL, request.headers, request.body);
  assert.equal(accepted.body.toString(), SEED_REQUEST);
  assert.equal(accepted.keyId, KEY_B);
  assert.equal(accepted.headers['X-KM-User-AspId'], ASP_ID);
  assert.equal(accepted.headers['X-KM-Access-Key'], ACCESS_KEY);
  assert.deepEqual(accepted.route, { method: 'POST', template: CANCEL, params: {} });
  const response = server.respond(accepted, SEED_RESPONSE);
  assert.equal(response.headers['X-KM-Correlation-Id'], request.correlationId);
  assert.equal(response.headers['X-KM-Crypto-Key-Id'], KEY_B);
  assert.ok(!response.body.toString().includes('9410123412341234'));
  assert.equal(client.finish(request, response.headers, response.body).toString(), SEED_RESPONSE);
});

test('the envelope route both ways, with path parameters', async () => {
  const { client, server } = parties();
  const request = await client.prepareAsync('POST', '/api/v1/cards/C-77/pan', SEED_REQUEST);
  assert.deepEqual(Object.keys(JSON.parse(request.body)), ['encData']);
  const accepted = await server.acceptAsync('POST', '/api/v1/cards/C-77/pan', request.headers, request.body);
  assert.equal(accepted.body.toString(), SEED_REQUEST);
  assert.deepEqual(accepted.route.params, { cardId: 'C-77' });
  const response = await server.respondAsync(accepted, SEED_RESPONSE);
  assert.deepEqual(Object.keys(JSON.parse(response.body)), ['encData']);
  assert.equal((await client.finishAsync(request, response.headers, response.body)).toString(), SEED_RESPONSE);
});

test('headers in as an object, a Headers, a Map, pairs, or Node\'s IncomingMessage form', () => {
  const { client, server } = parties();
  const request = client.prepare('POST', CANCEL, SEED_REQUEST);
  const lower = Object.fromEntries(Object.entries(request.headers).map(([n, v]) => [n.toLowerCase(), v]));
  const forms = [
    new Headers(request.headers),
    new Map(Object.entries(request.headers)),
    Object.entries(request.headers),
    { ...lower, 'content-type': 'application/json', 'x-forwarded-for': ['a', 'b'], absent: undefined },
  ];
  for (const headers of forms) {
    const accepted = server.accept('POST', CANCEL, headers, request.body);
    assert.equal(accepted.body.toString(), SEED_REQUEST);
    assert.equal(accepted.correlationId, request.correlationId);
  }
  assert.throws(() => server.accept('POST', CANCEL, 5, ''), TypeError);
  assert.throws(() => server.accept('POST', CANCEL, [['a']], ''), TypeError);
  assert.throws(() => server.accept('POST', CANCEL, { a: 5 }, ''), TypeError);
});

test('checkHead refuses before the body; acceptBody finishes', async () => {
  const { client, server } = parties();
  const request = client.prepare('POST', CANCEL, SEED_REQUEST);
  const head = server.checkHead('POST', CANCEL, request.headers);
  assert.equal(head.correlationId, request.correlationId);
  assert.equal(server.acceptBody(head, request.body).body.toString(), SEED_REQUEST);
  assert.equal((await server.acceptBodyAsync(head, request.body)).body.toString(), SEED_REQUEST);
  assert.throws(() => server.acceptBody(head, request.body + ' '), km.TokenMismatch);
  const { ['X-KM-Tran-Token']: _, ...noToken } = request.headers;
  assert.throws(() => server.checkHead('POST', CANCEL, noToken), km.MissingHeader);
  assert.throws(() => server.checkHead('POST', `${CANCEL}?userId=999`, request.headers), km.QueryNotAllowed);
});

/** yyyyMMddHHmmssSSS of `date` in KST, as the public clients write it. */
function kst(date) {
  const t = new Date(date.getTime() + 9 * 3600 * 1000).toISOString();
  return t.slice(0, 23).replace(/[-:T.]/g, '');
}

test('a request made the way the public TypeScript clients make it is accepted', async () => {
  // The clients: RSA-OAEP-256 + A128GCM to the platform's certificate with
  // no kid in the JWE header (X-KM-Crypto-Key-Id names the key), a padded
  // 67-character token from createHmac, and the clock read twice.
  const routes = JSON.stringify({
    routes: [{ method: 'POST', path: '/api/v1/cards/{cardId}/pan', request: 'envelope', response: 'plain' }],
  });
  const keyring = km.Keyring.load(vectorFile('rsa/server-private-pkcs8.pem'), { keyId: RSA_KEY });
  const server = new km.Server(new km.TokenSigner(SECRET), keyring, routes);

  const certificate = await jose.importX509(vectorFile('rsa/server-certificate.pem').toString(), 'RSA-OAEP-256');
  const jwe = await new jose.CompactEncrypt(Buffer.from(SEED_REQUEST))
    .setProtectedHeader({ alg: 'RSA-OAEP-256', enc: 'A128GCM' })
    .encrypt(certificate);
  const body = JSON.stringify({ encData: jwe });
  const time = kst(new Date());
  const mac = createHmac('sha256', SECRET).update(body).digest('base64');
  const token = `KMV1:${time}:${mac}`;
  assert.equal(token.length, 67);
  const headers = {
    'x-km-user-aspid': ASP_ID,
    'x-km-correlation-id': `${time.slice(2, 14)}-${randomBytes(4).toString('hex').slice(0, 7)}`,
    'x-km-access-key': ACCESS_KEY,
    'x-km-crypto-key-id': RSA_KEY,
    'x-km-tran-token': token,
    'x-km-tran-time': kst(new Date()).slice(0, 14),
    'x-km-time-zone': 'KST',
  };
  const accepted = server.accept('POST', '/api/v1/cards/77/pan', headers, body);
  assert.equal(accepted.body.toString(), SEED_REQUEST);
  assert.equal(accepted.keyId, RSA_KEY);
  // Strict mode refuses the padded token.
  const strict = new km.Server(new km.TokenSigner(SECRET), keyring, routes, { strict: true });
  assert.throws(() => strict.accept('POST', '/api/v1/cards/77/pan', headers, body), km.PaddedTokenRefused);
});

test('a replay guard refuses the same request twice', () => {
  const { client, server } = parties({ replayGuard: 100 });
  const request = client.prepare('POST', CANCEL, SEED_REQUEST);
  server.accept('POST', CANCEL, request.headers, request.body);
  assert.throws(() => server.accept('POST', CANCEL, request.headers, request.body), km.Replayed);
  const { server: unguarded } = parties();
  unguarded.accept('POST', CANCEL, request.headers, request.body);
  unguarded.accept('POST', CANCEL, request.headers, request.body);
});

test('8 concurrent async calls on 4 MiB bodies leave the event loop free', async () => {
  const { client, server, keyring } = parties();
  const big = JSON.stringify({ mobileCardNo: '9410123412341234', blob: 'x'.repeat(4 << 20) });
  const fields = new km.Fields(['mobileCardNo']);
  let ticks = 0;
  const timer = setInterval(() => ticks++, 1);
  const started = performance.now();
  const results = await Promise.all(
    Array.from({ length: 8 }, async (_, i) => {
      const path = `/api/v1/cards/${i}/pan`;
      const request = await client.prepareAsync('POST', path, big);
      const accepted = await server.acceptAsync('POST', path, request.headers, request.body);
      const response = await server.respondAsync(accepted, accepted.body);
      const clear = await client.finishAsync(request, response.headers, response.body);
      const sealed = await fields.encryptAsync(clear, keyring, KEY_B);
      return (await fields.decryptAsync(sealed, keyring, KEY_B)).length;
    }),
  ).finally(() => clearInterval(timer));
  const elapsed = performance.now() - started;
  assert.deepEqual(results, Array(8).fill(Buffer.byteLength(big)));
  // The timer ran all along: on average a tick per 20 ms of the work at
  // least (work on the main thread would hold it for whole calls).
  assert.ok(ticks >= elapsed / 20, `${ticks} ticks in ${elapsed.toFixed(0)} ms`);
});


test('the route catalogue: a client opens an envelope or passes a clear answer, a server refuses it', async () => {
  const catalogue = readFileSync(new URL('../../../routes/kona.json', import.meta.url), 'utf8');
  const keyring = km.Keyring.fromJwks(JSON.stringify(dirVectors.jwks));
  const signer = new km.TokenSigner(SECRET);
  assert.throws(() => new km.Server(signer, keyring, catalogue), (e) => {
    assert.ok(e instanceof km.InvalidRoutes, String(e));
    assert.equal(e.code, 'invalid_routes');
    assert.match(e.message, /route 1 \(POST \/api\/v1\/user\/registration\): the response is "envelope-or-plain"/);
    return true;
  });
  const client = new km.Client(ASP_ID, signer, keyring, catalogue, { accessKey: ACCESS_KEY, cryptoKeyId: KEY_B });
  const request = client.prepare('POST', '/api/v1/user/card/list', '{"userId":1}');
  const headers = { 'X-KM-Correlation-Id': request.correlationId, 'X-KM-Crypto-Key-Id': KEY_B };
  const clear = '{"code":"000_000","cards":[]}';
  assert.equal(client.finish(request, headers, clear).toString(), clear);
  // An envelope, sealed by jose under the key the request named, is opened.
  const jwe = await new jose.CompactEncrypt(new TextEncoder().encode(clear))
    .setProtectedHeader({ alg: 'dir', enc: 'A256GCM', kid: KEY_B })
    .encrypt(jose.base64url.decode(dirVectors.jwks.keys.find((k) => k.kid === KEY_B).k));
  const envelope = JSON.stringify({ encData: jwe });
  assert.ok(!client.finish(request, headers, envelope).toString().includes('encData'));
  assert.equal(client.finish(request, headers, envelope).toString(), clear);
});
