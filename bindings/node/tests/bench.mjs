// The package against jose from Node, and the whole exchange against the
// Rust core's own time for it, side by side in one process.
//
//   node tests/bench.mjs [--seconds S] [--json]
//
// Each pair runs in alternating batches for S seconds (2 by default); a
// figure is the median of the batches' rates, with the spread (lowest and
// highest), and a ratio is the ratio of the medians. Keys are imported once
// on both sides. Not a test: timings on a shared machine are reported,
// never asserted.

import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

import * as jose from 'jose';

import { CANCEL, KEY_B, SEED_REQUEST, SEED_RESPONSE, jwk, km, parties } from './support.mjs';

const args = process.argv.slice(2);
const seconds = Number(args[args.indexOf('--seconds') + 1]) || 2;
const native = createRequire(import.meta.url)(
  join(dirname(createRequire(import.meta.url).resolve('konaplate-crypto')), '..', 'native.js'),
);

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const summary = (r) => ({ median: median(r), low: Math.min(...r), high: Math.max(...r), batches: r.length });

/** Rates (per second) of `a` and `b`, in alternating batches of `n` calls. */
async function pair(a, b, n) {
  const rates = [[], []];
  const deadline = performance.now() + seconds * 1000;
  while (performance.now() < deadline || rates[0].length < 5) {
    for (const [i, fn] of [a, b].entries()) {
      const started = performance.now();
      for (let k = 0; k < n; k++) await fn();
      rates[i].push((n * 1000) / (performance.now() - started));
    }
  }
  return rates.map(summary);
}

const FIELDS = ['mobileCardNo', 'par'];
const { keyring, client } = parties();
const fields = new km.Fields(FIELDS);
const key = await jose.importJWK({ kty: 'oct', k: jwk(KEY_B).k }, 'dir');
const header = { alg: 'dir', enc: 'A256GCM', kid: KEY_B };
const encoder = new TextEncoder();
const decoder = new TextDecoder();

async function joseEncrypt(doc) {
  const d = JSON.parse(doc);
  for (const p of FIELDS) d[p] = await new jose.CompactEncrypt(encoder.encode(d[p])).setProtectedHeader(header).encrypt(key);
  return JSON.stringify(d);
}

async function joseDecrypt(doc) {
  const d = JSON.parse(doc);
  for (const p of FIELDS) d[p] = decoder.decode((await jose.compactDecrypt(d[p], key)).plaintext);
  return JSON.stringify(d);
}

const sealed = fields.encrypt(SEED_RESPONSE, keyring, KEY_B);
const sealedText = sealed.toString();
const kib = 'x'.repeat(1024);
const kibJwe = await new jose.CompactEncrypt(encoder.encode(kib)).setProtectedHeader(header).encrypt(key);
const kibEnvelope = JSON.stringify({ encData: kibJwe });
// Each side checks the other's output once before it is timed.
if ((await joseDecrypt(sealedText)) !== JSON.stringify(JSON.parse(SEED_RESPONSE))) throw new Error('jose cannot open');
if (fields.decrypt(await joseEncrypt(SEED_RESPONSE), keyring, KEY_B).toString() !== JSON.stringify(JSON.parse(SEED_RESPONSE))) {
  throw new Error('the package cannot open jose');
}
if (km.openEnvelope(kibEnvelope, keyring, KEY_B).toString() !== kib) throw new Error('1 KiB envelope');

const rows = [];
const vsJose = async (name, ours, theirs, n) => {
  const [k, j] = await pair(ours, theirs, n);
  rows.push({ name, konaplate: k, jose: j, ratio: k.median / j.median, goal: name.startsWith('seed') ? 20 : undefined });
};
await vsJose('seed response, decrypt the fields', () => fields.decrypt(sealed, keyring, KEY_B), () => joseDecrypt(sealedText), 2000);
await vsJose('seed response, encrypt the fields', () => fields.encrypt(SEED_RESPONSE, keyring, KEY_B), () => joseEncrypt(SEED_RESPONSE), 2000);
await vsJose('1 KiB JWE, open', () => km.openEnvelope(kibEnvelope, keyring, KEY_B), () => jose.compactDecrypt(kibJwe, key), 2000);
await vsJose('1 KiB JWE, seal', () => km.sealEnvelope(kib, keyring, KEY_B), () => new jose.CompactEncrypt(encoder.encode(kib)).setProtectedHeader(header).encrypt(key), 2000);

// The whole exchange: from JavaScript (four calls across the boundary, the
// headers as objects) against the Rust core doing the same in one call.
const { server } = parties();
const fromNode = () => {
  const request = client.prepare('POST', CANCEL, SEED_REQUEST);
  const accepted = server.accept('POST', CANCEL, request.headers, request.body);
  const response = server.respond(accepted, SEED_RESPONSE);
  return client.finish(request, response.headers, response.body);
};
const batch = 500;
// Alternating batches: the core's rate from its own clock, Node's from performance.now().
const coreRates = [];
const nodeRates = [];
const deadline = performance.now() + seconds * 1000;
while (performance.now() < deadline || coreRates.length < 5) {
  coreRates.push((batch * 1e9) / native._benchExchange(client, server, CANCEL, SEED_REQUEST, SEED_RESPONSE, batch));
  const started = performance.now();
  for (let k = 0; k < batch; k++) fromNode();
  nodeRates.push((batch * 1000) / (performance.now() - started));
}
const [js, rust] = [summary(nodeRates), summary(coreRates)];
rows.push({ name: 'whole exchange (prepare, accept, respond, finish)', node: js, core: rust, ratio: rust.median / js.median, goal: 3 });

if (args.includes('--json')) {
  console.log(JSON.stringify(rows, null, 1));
} else {
  const f = (r) => `${Math.round(r.median).toLocaleString('en')}/s (${Math.round(r.low).toLocaleString('en')} to ${Math.round(r.high).toLocaleString('en')}, ${r.batches} batches)`;
  for (const row of rows) {
    if (row.jose) {
      console.log(`${row.name}: konaplate-crypto ${f(row.konaplate)}, jose ${f(row.jose)}: ${row.ratio.toFixed(1)}x jose${row.goal ? ` (goal ≥ ${row.goal}x)` : ''}`);
    } else {
      console.log(`${row.name}: from Node ${f(row.node)}, the Rust core ${f(row.core)}: Node takes ${row.ratio.toFixed(2)}x the core's time (goal ≤ ${row.goal}x)`);
    }
  }
}
