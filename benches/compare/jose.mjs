// npm `jose` on the inputs of benches/compare/run: the same four operations,
// measured as main.rs measures the crate (a fixed time per round, five
// rounds, the median rate). One JSON line per operation.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { CompactEncrypt, compactDecrypt } from "jose";

const input = JSON.parse(readFileSync(join(process.argv[2], "inputs.json"), "utf8"));
// The key imported once, as the crate loads its keyring once.
const key = await crypto.subtle.importKey(
  "raw", Buffer.from(input.key_b64url, "base64url"), "AES-GCM", false, ["encrypt", "decrypt"]);
const header = { alg: "dir", enc: "A256GCM", kid: input.kid };
const enc = new TextEncoder();
const dec = new TextDecoder();
const plaintext = enc.encode(input.plaintext);

const seal = (bytes) => new CompactEncrypt(bytes).setProtectedHeader(header).encrypt(key);
const open = async (jwe) => (await compactDecrypt(jwe, key)).plaintext;

async function encryptFields(text) {
  const doc = JSON.parse(text);
  for (const f of input.fields) doc[f] = await seal(enc.encode(doc[f]));
  return JSON.stringify(doc);
}

async function decryptFields(text) {
  const doc = JSON.parse(text);
  for (const f of input.fields) doc[f] = dec.decode(await open(doc[f]));
  return JSON.stringify(doc);
}

// The same answers the crate gives.
if (dec.decode(await open(input.jwe)) !== input.plaintext) throw new Error("open");
if ((await decryptFields(input.response_encrypted)) !== input.response) throw new Error("fields");

async function rate(op) {
  const rates = [];
  for (let r = 0; r < 5; r++) {
    const start = process.hrtime.bigint();
    let n = 0;
    while (Number(process.hrtime.bigint() - start) < 400e6) {
      for (let i = 0; i < 64; i++) await op();
      n += 64;
    }
    rates.push(n / (Number(process.hrtime.bigint() - start) / 1e9));
  }
  return rates.sort((a, b) => a - b)[2];
}

const ops = [
  ["seal-1KiB", () => seal(plaintext)],
  ["open-1KiB", () => open(input.jwe)],
  ["fields-encrypt", () => encryptFields(input.response)],
  ["fields-decrypt", () => decryptFields(input.response_encrypted)],
];
for (const [name, op] of ops) {
  console.log(JSON.stringify({ impl: "jose (npm)", op: name, ops: Math.round(await rate(op)) }));
}
