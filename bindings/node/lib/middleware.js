'use strict';
// `konaMiddleware`: a `(req, res, next)` middleware for Node's `http`,
// Express and Connect that verifies each request with a `Server` and
// protects each answer as its route says.

const { STATUS_CODES } = require('node:http');

const native = require('../native.js');
const { KonaError, convert, guarded } = require('./errors.js');
const { LARGE_BODY, bySize } = require('./size.js');


const refuseTooLarge = guarded(native.refuseTooLarge);

/** What a server says of a fault of its own: no more than this. */
const INTERNAL = 'the server cannot process this request';

/**
 * The refusal for `error`, in the one shape the Rust layer answers with
 * (`{"code","message"}`, the category's status); a fault of the server's
 * own setup says no more than a generic message, and anything that is no
 * error of the library is a bare 500.
 */
function refusal(error) {
  const known = convert(error);
  if (!(known instanceof KonaError)) {
    return { status: 500, code: 'internal_error', message: INTERNAL };
  }
  const message = known.category === 'configuration' ? INTERNAL : known.message;
  return { status: known.httpStatus, code: known.code, message };
}

/**
 * Answers `res` with `refusal(error)`, closing the connection if asked;
 * `callback` is the caller's `res.end` callback, if any.
 */
function refuse(res, error, close = false, callback = undefined) {
  const { status, code, message } = refusal(error);
  const body = Buffer.from(JSON.stringify({ code, message }));
  if (close) {
    res.setHeader('connection', 'close');
  }
  res.writeHead(status, STATUS_CODES[status], {
    'content-type': 'application/json',
    'content-length': body.length,
  });
  res.end(body, callback);
}

/** The body of `req`, whole, or `null` past `limit` bytes (reading stops). */
function readBody(req, limit) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let length = 0;
    const done = (value, error) => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      if (error) reject(error);
      else resolve(value);
    };
    const onData = (chunk) => {
      length += chunk.length;
      if (length > limit) {
        req.pause();
        done(null);
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => done(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, length));
    const onError = (error) => done(undefined, error);
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}

/**
 * Holds what the handler writes to `res` and, when it ends, sends it
 * protected as the route says (`server.respond`), with the exchange's
 * headers; an answer that cannot be protected is a bare 500, never sent
 * clear.
 */
function protect(server, accepted, res) {
  const { end, write, writeHead } = res;
  // Node's own `end` writes the head through `writeHead`: the originals
  // are back in place before the protected answer goes out.
  const restore = () => Object.assign(res, { end, write, writeHead });
  const chunks = [];
  const hold = (chunk, encoding) => {
    if (chunk !== undefined && chunk !== null && typeof chunk !== 'function') {
      chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk, typeof encoding === 'string' ? encoding : 'utf8'));
    }
  };
  res.writeHead = function writeHead(status, reason, headers) {
    res.statusCode = status;
    if (typeof reason === 'string') {
      res.statusMessage = reason;
    } else {
      headers = reason;
    }
    const pairs = Array.isArray(headers) ? pairsOf(headers) : Object.entries(headers ?? {});
    for (const [name, value] of pairs) {
      res.setHeader(name, value);
    }
    return res;
  };
  res.write = function write(chunk, encoding, callback) {
    hold(chunk, encoding);
    const cb = typeof encoding === 'function' ? encoding : callback;
    if (typeof cb === 'function') process.nextTick(cb);
    return true;
  };
  let cb;
  const fail = () => {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    for (const name of res.getHeaderNames()) {
      res.removeHeader(name);
    }
    restore();
    // No error of the library's: the bare 500 of `refusal`.
    refuse(res, null, false, cb);
  };
  res.end = function finish(chunk, encoding, callback) {
    hold(chunk, encoding);
    cb = [chunk, encoding, callback].find((arg) => typeof arg === 'function');
    const clear = Buffer.concat(chunks);
    chunks.length = 0;
    const send = (response) => {
      for (const [name, value] of Object.entries(response.headers)) {
        res.setHeader(name, value);
      }
      res.setHeader('content-length', response.body.length);
      if (response.body.length > 0 && !res.hasHeader('content-type')) {
        res.setHeader('content-type', 'application/json');
      }
      restore();
      res.end(response.body, cb);
    };
    if (clear.length >= LARGE_BODY) {
      server.respondAsync(accepted, clear).then(send, fail);
    } else {
      let response;
      try {
        response = server.respond(accepted, clear);
      } catch {
        fail();
        return res;
      }
      send(response);
    }
    return res;
  };
  return fail;
}

/** `[name, value, name, value ...]` as pairs (Node's raw header form). */
function pairsOf(flat) {
  if (flat.length > 0 && Array.isArray(flat[0])) return flat;
  const pairs = [];
  for (let i = 0; i + 1 < flat.length; i += 2) pairs.push([flat[i], flat[i + 1]]);
  return pairs;
}

/**
 * A middleware over `server` (a `Server`) for Node's `http` server,
 * Express and Connect. It checks the request's head (route, `X-KM-*`
 * headers, token time, key) before reading its body; refuses a declared
 * `Content-Length` over `options.maxBody` (1 MiB) before reading and stops
 * reading past it (413 `too_large`); accepts the body; puts the
 * `AcceptedRequest` (`{ body, headers, keyId, route }`, the body clear) on
 * `req.kona`; and protects what the handler sends as the route says.
 * Refusals answer `{"code","message"}` with the category's status.
 *
 * Mount it before any body parser: it reads the body itself, since the
 * token covers the body exactly as received.
 *
 * With Node's `http` alone, give it the handler as `next`:
 * `http.createServer((req, res) => kona(req, res, () => handler(req, res)))`.
 */
function konaMiddleware(server, options = {}) {
  if (!(server instanceof native.Server)) {
    throw new TypeError('konaMiddleware: server must be a Server');
  }
  const maxBody = options.maxBody ?? 1 << 20;
  if (!Number.isSafeInteger(maxBody) || maxBody < 0) {
    throw new TypeError('konaMiddleware: options.maxBody must be a whole number of bytes');
  }
  return function kona(req, res, next) {
    let head;
    try {
      head = server.checkHead(req.method, req.originalUrl ?? req.url, req.headers);
      const declared = req.headers['content-length'];
      if (declared !== undefined && Number(declared) > maxBody) {
        refuseTooLarge(maxBody);
      }
    } catch (error) {
      refuse(res, error, true);
      return;
    }
    readBody(req, maxBody)
      .then((body) => {
        if (body === null) {
          refuseTooLarge(maxBody);
        }
        return bySize(body.length, server, 'acceptBody', head, body);
      })
      .then(
        (accepted) => {
          req.kona = accepted;
          const fail = protect(server, accepted, res);
          try {
            next();
          } catch {
            // A handler that throws gets what an unprotectable answer gets.
            fail();
          }
        },
        (error) => refuse(res, error, !req.complete),
      );
  };
}

module.exports = { konaMiddleware };
