// The package as installed: importable as an ES module and from CommonJS,
// the same objects either way, and nothing internal exported.

import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';

import * as esm from 'konaplate-crypto';

test('ES module and CommonJS give the same exports', () => {
  const cjs = createRequire(import.meta.url)('konaplate-crypto');
  const names = Object.keys(cjs).sort();
  assert.deepEqual(Object.keys(esm).filter((n) => n !== 'default').sort(), names);
  for (const name of names) {
    assert.equal(esm[name], cjs[name], name);
  }
  for (const name of ['TokenSigner', 'Keyring', 'Fields', 'Client', 'Server', 'konaFetch', 'konaMiddleware', 'KonaError', 'TokenMismatch']) {
    assert.ok(names.includes(name), name);
  }
  for (const internal of ['errorKinds', 'refuseStreamingBody', 'refuseTooLarge', '_benchExchange']) {
    assert.ok(!names.includes(internal), internal);
  }
});
