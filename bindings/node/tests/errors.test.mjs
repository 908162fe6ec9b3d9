// Every error kind: a subclass of KonaError named after it, with its
// stable code and HTTP status, declared in the types, and thrown by the
// call that meets it.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { test } from 'node:test';

import { ACCESS_KEY, ASP_ID, CANCEL, KEY_A, KEY_B, ROUTES, SEED_REQUEST, SEED_RESPONSE, km, parties, vectorFile } from './support.mjs';

// Kinds no call of this package can meet, and why.
const UNREACHABLE = {
  buffer_too_small: 'the package returns new Buffers; there is no caller\'s buffer',
  no_key_id: 'keys are always named or the first-issued; the package has no kid-in-message mode',
  unreadable_body: 'raised by the Rust HTTP layer reading a body; Node hands over whole bodies',
  invalid_correlation_id: 'a correlation id read from a header is invalid_header, naming it',
  io: 'the package reads no files: keys come in as bytes',
  replay_store_unavailable: 'the shared replay stores (Redis) are the Rust front ends\'; the package\'s guard is in-process',
  unknown_asp_id: 'tenant registries are the Rust front ends\'; a Server here serves one provider',
  unknown_access_key: 'tenant registries are the Rust front ends\'; a Server here serves one provider',
  invalid_tenants: 'tenant registries are the Rust front ends\'',
};

const classes = Object.values(km).filter((value) => typeof value === 'function' && value.prototype instanceof km.KonaError);

const snake = (name) => name.replace(/(?<!^)(?=[A-Z])/g, '_').toLowerCase();

test('every kind is a subclass with its code, status and category', () => {
  assert.equal(classes.length, 43);
  for (const cls of classes) {
    const error = new cls('message');
    assert.ok(error instanceof km.KonaError && error instanceof Error);
    assert.equal(cls.code, snake(cls.name));
    assert.equal(error.code, cls.code);
    assert.equal(error.name, cls.name);
    assert.ok([400, 401, 404, 413, 500, 503].includes(cls.httpStatus), cls.name);
    assert.equal(error.httpStatus, cls.httpStatus);
    assert.ok(typeof cls.category === 'string');
  }
});

test('the types declare every class', () => {
  const types = readFileSync(join(dirname(createRequire(import.meta.url).resolve('konaplate-crypto')), 'errors.d.ts'), 'utf8');
  const declared = [...types.matchAll(/export declare class (\w+) extends KonaError/g)].map((m) => m[1]);
  assert.deepEqual(declared.sort(), classes.map((cls) => cls.name).sort());
});

const b64 = (data) => Buffer.from(data).toString('base64url');

function triggers() {
  const { signer, keyring, client, server } = parties();
  const fields = new km.Fields(['mobileCardNo', 'par']);
  const sealed = fields.encrypt(SEED_RESPONSE, keyring, KEY_B);
  const request = client.prepare('POST', CANCEL, SEED_REQUEST);
  const headers = Object.entries(request.headers);
  const accept = (hs, { body = request.body, path = CANCEL, srv = server } = {}) => () => srv.accept('POST', path, hs, body);
  const replace = (name, value) => headers.map(([n, v]) => [n, n === name ? value : v]);
  const response = server.respond(server.accept('POST', CANCEL, headers, request.body), SEED_RESPONSE);
  const a128AsB = JSON.stringify({ keys: [{ kty: 'oct', kid: KEY_B, alg: 'A128GCM', k: b64('k'.repeat(16)) }] });
  const unsupported = b64(JSON.stringify({ alg: 'dir', enc: 'A192GCM', kid: KEY_B }));
  // One character of the last tag changed to another base64url character
  // (not the tag's last, whose low bits are padding).
  const tampered = Buffer.from(sealed);
  const at = tampered.length - 5;
  tampered[at] = tampered[at] === 0x41 ? 0x42 : 0x41;
  const rsaPrivate = km.Keyring.load(vectorFile('rsa/server-private-pkcs8.pem'), { keyId: KEY_B });
  return {
    missing_header: accept(headers.filter(([n]) => n !== 'X-KM-Tran-Token')),
    duplicate_header: accept([...headers, headers[0]]),
    invalid_header: accept(replace('X-KM-Correlation-Id', 'nope')),
    invalid_time: () => signer.sign('', { time: '20261301000000000' }),
    unknown_time_zone: () => km.newCorrelationId('Mars'),
    malformed_token: () => signer.verify('', 'KMV1:nope'),
    token_mismatch: accept(headers, { body: request.body + ' ' }),
    token_time_outside_window: () => signer.verify('', signer.sign('', { time: '20200101000000000' })),
    padded_token_refused: () => signer.verify('', signer.sign('', { padded: true }), { strict: true }),
    invalid_json: () => fields.encrypt('{not json', keyring, KEY_B),
    invalid_field_path: () => new km.Fields(['cards[']),
    field_not_found: () => new km.Fields(['nowhere'], { strict: true }).encrypt(SEED_RESPONSE, keyring, KEY_B),
    invalid_field: () => fields.decrypt('{"par":17}', keyring, KEY_B),
    invalid_key: () => km.Keyring.load('hello'),
    unknown_key_id: () => fields.encrypt(SEED_RESPONSE, keyring, 'Z'.repeat(32)),
    key_id_mismatch: () => fields.decrypt(sealed, keyring, KEY_A),
    key_mismatch: () => fields.decrypt(sealed, km.Keyring.fromJwks(a128AsB), KEY_B),
    malformed_jwe: () => fields.decrypt('{"par":"abc"}', keyring, KEY_B),
    unsupported_jwe: () =>
      fields.decrypt(JSON.stringify({ par: `${unsupported}..AAAAAAAAAAAAAAAA.AAAA.AAAAAAAAAAAAAAAAAAAAAA` }), keyring, KEY_B),
    decryption_failed: () => fields.decrypt(tampered, keyring, KEY_B),
    too_large: () => km.openEnvelope(`{"encData":"${'A'.repeat(17 << 20)}"}`, keyring, KEY_B),
    invalid_envelope: () => km.openEnvelope('{"other":1}', keyring, KEY_B),
    invalid_secret: () => new km.TokenSigner(''),
    invalid_routes: () => new km.Server(signer, keyring, '{"routes":7}'),
    route_not_found: accept(headers, { path: '/nowhere' }),
    correlation_id_mismatch: () => client.finish(client.prepare('POST', CANCEL, SEED_REQUEST), response.headers, response.body),
    replayed: () => {
      const guarded = new km.Server(signer, keyring, ROUTES, { replayGuard: 10 });
      for (let i = 0; i < 2; i++) guarded.accept('POST', CANCEL, headers, request.body);
    },
    replay_guard_full: () => {
      const full = new km.Server(signer, keyring, ROUTES, { replayGuard: 1 });
      for (const n of [0, 1]) {
        const r = client.prepare('POST', CANCEL, SEED_REQUEST + ' '.repeat(n));
        full.accept('POST', CANCEL, r.headers, r.body);
      }
    },
    too_deep: () => fields.encrypt('['.repeat(65) + ']'.repeat(65), keyring, KEY_B),
    key_unusable: () => new km.Server(signer, rsaPrivate, ROUTES).accept('POST', CANCEL, headers, request.body),
    query_not_allowed: accept(headers, { path: `${CANCEL}?userId=999` }),
    invalid_capacity: () => new km.Server(signer, keyring, ROUTES, { replayGuard: 0 }),
    invalid_instance: () => new km.CorrelationIds({ instance: 16 }),
  };
}

test('every reachable kind is thrown as its class, with its code and a message', async () => {
  const calls = triggers();
  const codes = new Set(classes.map((cls) => cls.code));
  // streaming_body is thrown by konaFetch (tests/http.test.mjs), asynchronously.
  const covered = new Set([...Object.keys(calls), ...Object.keys(UNREACHABLE), 'streaming_body']);
  assert.deepEqual([...covered].sort(), [...codes].sort());
  const byCode = new Map(classes.map((cls) => [cls.code, cls]));
  for (const [code, call] of Object.entries(calls)) {
    assert.throws(call, (e) => {
      assert.equal(e.constructor, byCode.get(code), `${code}: ${e.name}: ${e.message}`);
      assert.equal(e.code, code);
      assert.ok(e.message.length > 0, code);
      return true;
    });
  }
});

test('async calls reject with the same classes', async () => {
  const { keyring, client, server } = parties();
  await assert.rejects(new km.Fields(['par']).decryptAsync('{"par":"abc"}', keyring, KEY_B), km.MalformedJwe);
  await assert.rejects(km.openEnvelopeAsync('{"other":1}', keyring, KEY_B), km.InvalidEnvelope);
  await assert.rejects(client.prepareAsync('POST', '/nowhere', ''), km.RouteNotFound);
  const request = client.prepare('POST', CANCEL, SEED_REQUEST);
  await assert.rejects(server.acceptAsync('POST', CANCEL, request.headers, request.body + ' '), km.TokenMismatch);
  await assert.rejects(server.acceptAsync('POST', CANCEL, 7, ''), TypeError);
});

test('messages never show a secret or a plaintext', () => {
  const { keyring, signer } = parties();
  assert.throws(
    () => new km.Fields(['par']).decrypt('{"par":"9410123412341234"}', keyring, KEY_B),
    (e) => e instanceof km.KonaError && !e.message.includes('9410123412341234'),
  );
  assert.throws(
    () => new km.Client(ASP_ID, signer, keyring, ROUTES, { accessKey: 'short' }),
    (e) => e instanceof km.KonaError && !e.message.includes(ACCESS_KEY),
  );
});
