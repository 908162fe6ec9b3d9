// Shared by the tests: the package as installed, the repository's test
// vectors (made by independent implementations: Python's hmac and
// cryptography, joserfc; their generators are in test-vectors/gen/) and the
// seed flow's parties.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

import km from 'konaplate-crypto';

// The tests run against the package installed from its tarball, never
// the sources beside them.
const resolved = createRequire(import.meta.url).resolve('konaplate-crypto');
assert.match(resolved, /node_modules[\\/]konaplate-crypto[\\/]/, `konaplate-crypto from ${resolved}`);

export { km };

export const VECTORS = fileURLToPath(new URL('../../../test-vectors/', import.meta.url));
export const vectors = (name) => JSON.parse(readFileSync(VECTORS + name, 'utf8'));
export const vectorFile = (name) => readFileSync(VECTORS + name);

export const SECRET = 'sandboxSecretKey0001';
export const ASP_ID = '000170000002000';
export const ACCESS_KEY = 'K'.repeat(40);
export const KEY_A = 'A'.repeat(32);
export const KEY_B = 'B'.repeat(32);
export const RSA_KEY = 'KONA0TEST0RSA0KEY000000000000001';
export const CANCEL = '/api/v1/card/delivery/cancel';
export const PAN = '/api/v1/cards/{cardId}/pan';
export const ROUTES = JSON.stringify({
  routes: [
    {
      method: 'POST',
      path: CANCEL,
      request: 'plain',
      response: { fields: ['mobileCardNo', 'par'], strict: false },
    },
    { method: 'POST', path: PAN, request: 'envelope', response: 'envelope' },
  ],
});
export const SEED_REQUEST = '{"cardApplyNo":"2022110812081460812345","userId":1234567890}';
export const SEED_RESPONSE =
  '{"code":"000_000","message":"Success.","mobileCardNo":"9410123412341234",' +
  '"par":"Q1J4AwSWD4Jr4e4G7wUP2ujLKQ0"}';

export const dirVectors = vectors('jwe-dir.json');

/** The seed flow's parties: one keyring, one secret, both ends. */
export function parties({ replayGuard } = {}) {
  const keyring = km.Keyring.fromJwks(JSON.stringify(dirVectors.jwks));
  const signer = new km.TokenSigner(SECRET);
  const client = new km.Client(ASP_ID, signer, keyring, ROUTES, {
    accessKey: ACCESS_KEY,
    cryptoKeyId: KEY_B,
  });
  const server = new km.Server(signer, keyring, ROUTES, { replayGuard });
  return { keyring, signer, client, server };
}

/** The JWK of the vectors' key `kid`. */
export const jwk = (kid) => dirVectors.jwks.keys.find((key) => key.kid === kid);
