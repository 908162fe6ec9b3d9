// jose, the JOSE library Node developers use, opens what the package seals
// and the package opens what jose seals: dir with A128GCM and A256GCM
// (fields and envelopes), and RSA-OAEP-256 to a certificate.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import * as jose from 'jose';

import { KEY_A, KEY_B, RSA_KEY, SEED_RESPONSE, dirVectors, jwk, km, parties, vectorFile } from './support.mjs';

const FIELDS = ['mobileCardNo', 'par'];
const decoder = new TextDecoder();

async function octKey(kid) {
  const key = jwk(kid);
  return { key: await jose.importJWK({ kty: 'oct', k: key.k }, 'dir'), enc: key.alg };
}

for (const kid of [KEY_A, KEY_B]) {
  test(`jose opens the fields the package seals (${kid.slice(0, 4)}...)`, async () => {
    const { keyring } = parties();
    const { key, enc } = await octKey(kid);
    const sealed = JSON.parse(new km.Fields(FIELDS).encrypt(SEED_RESPONSE, keyring, kid));
    const clear = JSON.parse(SEED_RESPONSE);
    for (const field of FIELDS) {
      const opened = await jose.compactDecrypt(sealed[field], key);
      assert.deepEqual(opened.protectedHeader, { alg: 'dir', enc, kid });
      assert.equal(decoder.decode(opened.plaintext), clear[field]);
    }
    assert.equal(sealed.code, '000_000');
  });

  test(`the package opens the fields jose seals (${kid.slice(0, 4)}...)`, async () => {
    const { keyring } = parties();
    const { key, enc } = await octKey(kid);
    const doc = JSON.parse(SEED_RESPONSE);
    for (const field of FIELDS) {
      doc[field] = await new jose.CompactEncrypt(new TextEncoder().encode(doc[field]))
        .setProtectedHeader({ alg: 'dir', enc, kid })
        .encrypt(key);
    }
    const opened = new km.Fields(FIELDS).decrypt(JSON.stringify(doc), keyring, kid);
    assert.deepEqual(JSON.parse(opened), JSON.parse(SEED_RESPONSE));
    assert.deepEqual(JSON.parse(await new km.Fields(FIELDS).decryptAsync(JSON.stringify(doc), keyring, kid)), JSON.parse(SEED_RESPONSE));
  });

  test(`envelopes both ways with jose (${kid.slice(0, 4)}...)`, async () => {
    const { keyring } = parties();
    const { key, enc } = await octKey(kid);
    const envelope = JSON.parse(km.sealEnvelope(SEED_RESPONSE, keyring, kid));
    assert.deepEqual(Object.keys(envelope), ['encData']);
    assert.equal(decoder.decode((await jose.compactDecrypt(envelope.encData, key)).plaintext), SEED_RESPONSE);
    const asyncEnvelope = JSON.parse(await km.sealEnvelopeAsync(SEED_RESPONSE, keyring, kid));
    assert.equal(decoder.decode((await jose.compactDecrypt(asyncEnvelope.encData, key)).plaintext), SEED_RESPONSE);
    const jwe = await new jose.CompactEncrypt(Buffer.from(SEED_RESPONSE))
      .setProtectedHeader({ alg: 'dir', enc, kid })
      .encrypt(key);
    const doc = JSON.stringify({ encData: jwe });
    assert.equal(km.openEnvelope(doc, keyring, kid).toString(), SEED_RESPONSE);
    assert.equal((await km.openEnvelopeAsync(Buffer.from(doc), keyring, kid)).toString(), SEED_RESPONSE);
  });
}

test('the vectors seed response opens (joserfc made it)', () => {
  const { keyring } = parties();
  const c = dirVectors.fields.find((v) => v.name === 'seed response');
  assert.equal(new km.Fields(c.paths).decrypt(c.expected, keyring, c.kid).toString(), c.document);
});

test('RSA-OAEP-256 to a certificate: jose opens with the private key, and back', async () => {
  const certificate = vectorFile('rsa/server-certificate.pem').toString();
  const privatePem = vectorFile('rsa/server-private-pkcs8.pem').toString();
  const sealing = km.Keyring.load(certificate, { keyId: RSA_KEY });
  const opening = km.Keyring.load(vectorFile('rsa/server-private-pkcs8.pem'), { keyId: RSA_KEY });
  const privateKey = await jose.importPKCS8(privatePem, 'RSA-OAEP-256');
  const publicKey = await jose.importX509(certificate, 'RSA-OAEP-256');

  const envelope = JSON.parse(km.sealEnvelope(SEED_RESPONSE, sealing, RSA_KEY));
  const opened = await jose.compactDecrypt(envelope.encData, privateKey);
  assert.equal(opened.protectedHeader.alg, 'RSA-OAEP-256');
  assert.equal(decoder.decode(opened.plaintext), SEED_RESPONSE);

  for (const enc of ['A128GCM', 'A256GCM']) {
    const jwe = await new jose.CompactEncrypt(Buffer.from(SEED_RESPONSE))
      .setProtectedHeader({ alg: 'RSA-OAEP-256', enc, kid: RSA_KEY })
      .encrypt(publicKey);
    assert.equal(km.openEnvelope(JSON.stringify({ encData: jwe }), opening, RSA_KEY).toString(), SEED_RESPONSE);
  }
});

test('every key format loads: PEM and DER certificates, SPKI, PKCS#8, PKCS#1, PKCS#12, JWKS', () => {
  const files = [
    ['rsa/server-certificate.pem', {}],
    ['rsa/server-certificate.der', {}],
    ['rsa/server-public.pem', {}],
    ['rsa/server-private-pkcs8.pem', {}],
    ['rsa/client-private-pkcs8.der', {}],
    ['rsa/client-private-pkcs1.pem', {}],
    ['rsa/client-pbes2.p12', { password: 'test password' }],
  ];
  for (const [name, options] of files) {
    const ring = km.Keyring.load(vectorFile(name), { keyId: RSA_KEY, ...options });
    assert.deepEqual(ring.keyIds, [RSA_KEY], name);
  }
  assert.ok(km.Keyring.load(vectorFile('rsa/keyring.json')).keyIds.includes(RSA_KEY));
  assert.throws(() => km.Keyring.load(vectorFile('rsa/client-pbes2.p12'), { keyId: RSA_KEY, password: 'wrong' }), km.KonaError);
});
