// Tokens and correlation ids: the vectors (Python's hmac), Node's own
// createHmac over random bodies and secrets, and the options' checks.

import assert from 'node:assert/strict';
import { createHmac, randomBytes, randomInt } from 'node:crypto';
import { test } from 'node:test';
import { inspect } from 'node:util';

import { ACCESS_KEY, ASP_ID, CANCEL, KEY_B, ROUTES, SECRET, SEED_REQUEST, jwk, km, vectors } from './support.mjs';

const tokens = vectors('tokens.json');

test('every token vector signs and verifies, unpadded and padded', () => {
  assert.ok(tokens.cases.length > 0);
  for (const c of tokens.cases) {
    const signer = new km.TokenSigner(c.secret);
    const body = c.body ?? Buffer.from(c.body_hex, 'hex');
    const time = new Date(c.unix_ms);
    assert.equal(signer.sign(body, { time, zone: c.zone }), c.token, c.name);
    assert.equal(signer.sign(Buffer.from(body), { time: c.time, zone: c.zone, padded: true }), c.token_padded, c.name);
    assert.equal(c.token.length, 66);
    for (const token of [c.token, c.token_padded]) {
      assert.equal(signer.verify(body, token, { now: c.time, zone: c.zone }), undefined);
    }
    assert.throws(
      () => signer.verify(body, c.token_padded, { now: c.time, zone: c.zone, strict: true }),
      km.PaddedTokenRefused,
    );
  }
});

test("tokens match Node's createHmac over random bodies and secrets", () => {
  for (let i = 0; i < 200; i++) {
    const secret = randomBytes(randomInt(1, 80));
    const body = randomBytes(randomInt(0, 4096));
    const mac = createHmac('sha256', secret).update(body).digest('base64');
    const signer = new km.TokenSigner(secret);
    const token = signer.sign(body, { time: '20261202091500123', padded: true });
    assert.equal(token, `KMV1:20261202091500123:${mac}`);
    assert.equal(signer.sign(new Uint8Array(body), { time: '20261202091500123' }), token.slice(0, 66));
  }
  // A string secret and body are their UTF-8 bytes.
  const text = '카드번호 {"a":"é"}';
  const mac = createHmac('sha256', Buffer.from('비밀' + SECRET)).update(Buffer.from(text)).digest('base64');
  assert.equal(
    new km.TokenSigner('비밀' + SECRET).sign(text, { time: '20261202091500123', padded: true }),
    `KMV1:20261202091500123:${mac}`,
  );
});

test('verify checks the window against now, in the zone given', () => {
  const signer = new km.TokenSigner(SECRET);
  const token = signer.sign('{}', { time: '20261202120000000' });
  signer.verify('{}', token, { now: '20261202120400000' });
  assert.throws(() => signer.verify('{}', token, { now: '20261202120600000' }), km.TokenTimeOutsideWindow);
  signer.verify('{}', token, { now: '20261202120600000', maxSkewSeconds: 600 });
  // 12:00 KST is 03:00 UTC.
  signer.verify('{}', token, { now: new Date('2026-12-02T03:00:01Z') });
  assert.throws(() => signer.verify('{} ', token, { now: '20261202120000000' }), km.TokenMismatch);
  // Now is the clock when not given.
  signer.verify('{}', signer.sign('{}'));
  signer.verify('{}', signer.sign('{}', { time: new Date() }));
});

test('a wrong argument is a TypeError naming it', () => {
  const signer = new km.TokenSigner(SECRET);
  const cases = [
    [() => new km.TokenSigner(42), /TokenSigner: secret must be a string, Buffer or Uint8Array/],
    [() => signer.sign(null), /TokenSigner.sign: body must be/],
    [() => signer.sign('', 'now'), /TokenSigner.sign: options must be an object/],
    [() => signer.sign('', { time: 5 }), /options.time must be a Date or a yyyyMMddHHmmssSSS string/],
    [() => signer.sign('', { time: new Date(NaN) }), /options.time is an invalid Date/],
    [() => signer.sign('', { padded: 'yes' }), /options.padded must be a boolean/],
    [() => signer.sign('', { zone: 9 }), /options.zone must be a string/],
    [() => signer.verify('', 7), /TokenSigner.verify: token must be a string/],
    [() => signer.verify('', 'x', { maxSkewSeconds: -1 }), /options.maxSkewSeconds must be a whole number/],
    [() => signer.verify('', 'x', { maxSkewSeconds: 1.5 }), /options.maxSkewSeconds must be a whole number/],
    [() => signer.sign(new Int16Array(2)), /body must be a string, Buffer or Uint8Array/],
    [() => km.newCorrelationId(3), /newCorrelationId: zone must be a string/],
  ];
  for (const [call, message] of cases) {
    assert.throws(call, (e) => e instanceof TypeError && message.test(e.message) && e.code === 'ERR_INVALID_ARG_TYPE');
  }
});

test('the secret is never shown', () => {
  const signer = new km.TokenSigner(SECRET);
  for (const shown of [String(signer), JSON.stringify(signer), inspect(signer)]) {
    assert.ok(!shown.includes(SECRET), shown);
  }
  assert.equal(String(signer), 'TokenSigner([redacted])');
});

test('correlation ids are yyMMddHHmmss-xxxxxxx and unique', () => {
  const ids = new Set();
  for (let i = 0; i < 10000; i++) {
    const id = km.newCorrelationId();
    assert.match(id, /^\d{12}-[0-9a-f]{7}$/);
    ids.add(id);
  }
  assert.equal(ids.size, 10000);
  assert.match(km.newCorrelationId('UTC'), /^\d{12}-[0-9a-f]{7}$/);
  assert.throws(() => km.newCorrelationId('Mars'), km.UnknownTimeZone);
});

// Issue 20, item 4: the instance number is the suffix's top bits.
test('instances of a fleet draw disjoint correlation ids', () => {
  const all = new Set();
  for (let n = 0; n < 16; n++) {
    const ids = new km.CorrelationIds({ instance: n });
    for (let i = 0; i < 1000; i++) {
      const id = ids.generate();
      assert.equal(parseInt(id.slice(13), 16) >>> 24, n, id);
      all.add(id);
    }
  }
  assert.equal(all.size, 16 * 1000);
  const wide = new km.CorrelationIds({ instance: 300, instanceBits: 10 });
  assert.deepEqual([wide.instance, wide.instanceBits, wide.idsPerSecond], [300, 10, 1 << 18]);
  assert.equal(parseInt(wide.generate('UTC').slice(13), 16) >>> 18, 300);
  assert.throws(() => new km.CorrelationIds({ instance: 16 }), km.InvalidInstance);
  assert.throws(() => new km.CorrelationIds({ instance: 1, instanceBits: 17 }), km.InvalidInstance);
  assert.throws(() => new km.CorrelationIds({ instance: 1.5 }), TypeError);
  assert.throws(() => new km.CorrelationIds({}), /options.instance is required/);

  const signer = new km.TokenSigner('s');
  const keyring = km.Keyring.fromJwks(JSON.stringify({ keys: [jwk(KEY_B)] }));
  const fleet = new km.Client(ASP_ID, signer, keyring, ROUTES, { accessKey: ACCESS_KEY, cryptoKeyId: KEY_B, instance: 7 });
  for (let i = 0; i < 50; i++) {
    const id = fleet.prepare('POST', CANCEL, SEED_REQUEST).correlationId;
    assert.equal(parseInt(id.slice(13), 16) >>> 24, 7, id);
  }
  assert.throws(() => new km.Client(ASP_ID, signer, keyring, ROUTES, { instance: 99 }), km.InvalidInstance);
  assert.throws(() => new km.Client(ASP_ID, signer, keyring, ROUTES, { instanceBits: 8 }), /instanceBits needs options.instance/);
});
