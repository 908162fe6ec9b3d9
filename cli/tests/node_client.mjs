// A client of the platform written the way the public Node clients write
// theirs, with Node's own crypto and fetch only (no konaplate-crypto): the
// token in its padded 67-character form, the clock read once for the token
// and again for X-KM-Tran-Time, an envelope sealed with
// {"alg":"RSA-OAEP-256","enc":"A128GCM"} and no kid, an answer opened if
// it is an envelope and passed through if not. Each MODE but `ok` makes one
// mistake on purpose, for `kmcrypt serve` to explain.
//
//   KM_SECRET=... node node_client.mjs URL PATH KEY_ID SERVER_CERT CLIENT_KEY MODE BODY_JSON
//
// PATH's route is sealed if SERVER_CERT is not "-". Prints one JSON line:
// {"status", "enveloped", "body"} (the answer's clear text).
import { createHmac, createPublicKey, createPrivateKey, publicEncrypt, privateDecrypt,
         randomBytes, createCipheriv, createDecipheriv, constants } from 'node:crypto';
import { readFileSync } from 'node:fs';

const [url, path, keyId, serverCert, clientKey, mode, bodyJson] = process.argv.slice(2);
const secret = process.env.KM_SECRET;
const b64u = (buf) => Buffer.from(buf).toString('base64url');

// yyyyMMddHHmmssSSS in KST (UTC+9), or in UTC for the zone mistake.
function t17(date, offsetHours) {
  const d = new Date(date.getTime() + offsetHours * 3600 * 1000);
  const p = (n, w = 2) => String(n).padStart(w, '0');
  return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}` +
    `${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}${p(d.getUTCMilliseconds(), 3)}`;
}

function seal(plaintext) {
  const header = b64u(JSON.stringify({ alg: 'RSA-OAEP-256', enc: 'A128GCM' }));
  const cek = randomBytes(16);
  const wrapped = publicEncrypt({ key: createPublicKey(readFileSync(serverCert)),
    padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, cek);
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-128-gcm', cek, iv);
  cipher.setAAD(Buffer.from(header, 'ascii'));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [header, b64u(wrapped), b64u(iv), b64u(ciphertext), b64u(cipher.getAuthTag())].join('.');
}

function open(compact) {
  const [header, wrapped, iv, ciphertext, tag] = compact.split('.');
  const { enc } = JSON.parse(Buffer.from(header, 'base64url').toString());
  const cek = privateDecrypt({ key: createPrivateKey(readFileSync(clientKey)),
    padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, Buffer.from(wrapped, 'base64url'));
  const decipher = createDecipheriv(enc === 'A256GCM' ? 'aes-256-gcm' : 'aes-128-gcm', cek,
    Buffer.from(iv, 'base64url'));
  decipher.setAAD(Buffer.from(header, 'ascii'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString();
}

const value = JSON.parse(bodyJson);
const clear = JSON.stringify(value);
const body = serverCert === '-' ? clear : JSON.stringify({ encData: seal(clear) });

// What the MAC is taken over, and with which key: the mistakes.
let signed = body;
let key = secret;
if (mode === 'mac-over-base64') signed = Buffer.from(body).toString('base64');
if (mode === 'mac-over-newline') signed = body + '\n';
if (mode === 'mac-over-indented') signed = JSON.stringify(serverCert === '-' ? value : JSON.parse(body), null, 2);
if (mode === 'mac-over-clear') signed = clear;
if (mode === 'mac-with-decoded-secret') key = Buffer.from(secret, 'base64');

const zoneHours = mode === 'time-in-utc' ? 0 : 9;
const tokenTime = t17(new Date(), zoneHours);
const token = `KMV1:${tokenTime}:${createHmac('sha256', key).update(signed).digest('base64')}`;
const tranTime = t17(new Date(), zoneHours).slice(0, 14);
const headers = {
  'Content-Type': 'application/json',
  'X-KM-User-AspId': '000170000002000',
  'X-KM-Correlation-Id': `${tokenTime.slice(2, 14)}-${randomBytes(4).toString('hex').slice(0, 7)}`,
  'X-KM-Access-Key': 'A'.repeat(40),
  'X-KM-Crypto-Key-Id': mode === 'unknown-kid' ? 'F'.repeat(32) : keyId,
  'X-KM-Tran-Token': token,
  'X-KM-Tran-Time': tranTime,
  'X-KM-Time-Zone': 'KST',
};
if (mode === 'missing-tran-time') delete headers['X-KM-Tran-Time'];
if (mode === 'bad-correlation-id') headers['X-KM-Correlation-Id'] = '261399999999-xyz';

const response = await fetch(url + path, { method: 'POST', headers, body });
const text = await response.text();
let enveloped = false;
let out = text;
try {
  const parsed = JSON.parse(text);
  if (parsed && typeof parsed.encData === 'string' && Object.keys(parsed).length === 1) {
    out = open(parsed.encData);
    enveloped = true;
  }
} catch { /* not JSON: passed through */ }
console.log(JSON.stringify({ status: response.status, enveloped, body: out, tokenLength: token.length }));
