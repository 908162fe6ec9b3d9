'use strict';
// `konaFetch`: a `fetch` that signs each request, protects its body as its
// route says, checks the answer and hands back its clear body.

const native = require('../native.js');
const { guarded } = require('./errors.js');
const { bySize } = require('./size.js');


const refuseStreamingBody = guarded(native.refuseStreamingBody);

/** Whether `body` is a stream (web or Node) or an async iterable. */
function isStream(body) {
  return (
    body !== null &&
    typeof body === 'object' &&
    (typeof body.getReader === 'function' ||
      typeof body.pipe === 'function' ||
      typeof body[Symbol.asyncIterator] === 'function')
  );
}

/** The bytes of a body `fetch` takes whole: none, text, bytes, a Blob ... */
async function wholeBody(body) {
  if (body === undefined || body === null) {
    return Buffer.alloc(0);
  }
  if (typeof body === 'string' || body instanceof Uint8Array) {
    return body;
  }
  if (ArrayBuffer.isView(body)) {
    return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  }
  if (isStream(body)) {
    refuseStreamingBody();
  }
  // ArrayBuffer, Blob, URLSearchParams, FormData: as fetch would send it.
  return Buffer.from(await new Response(body).arrayBuffer());
}

/** Statuses whose response has no body (the Fetch standard's). */
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

/**
 * A `fetch`-compatible function over `client` (a `Client`): it prepares
 * each request for its route (signed; sealed where the route says), sends
 * it with `options.fetch` (the global `fetch` by default), checks the
 * answer (its `X-KM-Correlation-Id` must be the request's) and returns a
 * `Response` with the clear body. A body that is a stream is refused
 * before anything is sent (`StreamingBody`). An answer that is not a
 * success and carries no correlation id (a proxy's error page, a
 * refusal before the exchange) is returned as it came.
 */
function konaFetch(client, options = {}) {
  if (!(client instanceof native.Client)) {
    throw new TypeError('konaFetch: client must be a Client');
  }
  const send = options.fetch ?? globalThis.fetch;
  if (typeof send !== 'function') {
    throw new TypeError('konaFetch: options.fetch must be a function');
  }
  return async function fetch(input, init = {}) {
    const request = input instanceof Request ? input : undefined;
    const url = new URL(request ? request.url : String(input));
    const method = (init.method ?? request?.method ?? 'GET').toUpperCase();
    // A Request's own body is read whole: it was made from a whole body,
    // or the caller chose to hand it over. A stream given as the body is
    // refused before anything is sent.
    const body =
      'body' in init || !request || request.body === null
        ? await wholeBody(init.body)
        : Buffer.from(await request.arrayBuffer());
    const prepared = await bySize(body.length, client, 'prepare', method, url.pathname, body);
    const sent = prepared.body;
    const headers = new Headers(init.headers ?? request?.headers);
    for (const [name, value] of Object.entries(prepared.headers)) {
      headers.set(name, value);
    }
    // The length is the sent body's, which fetch sets itself.
    headers.delete('content-length');
    if (sent.length > 0 && !headers.has('content-type')) {
      headers.set('content-type', 'application/json');
    }
    const response = await send(url, {
      ...init,
      method,
      headers,
      body: sent.length > 0 ? sent : undefined,
    });
    if (!response.ok && !response.headers.has('x-km-correlation-id')) {
      return response;
    }
    const received = Buffer.from(await response.arrayBuffer());
    const clear = await bySize(received.length, client, 'finish', prepared, response.headers, received);
    const answered = new Headers(response.headers);
    // The body is now another one, already decoded by fetch.
    answered.delete('content-length');
    answered.delete('content-encoding');
    return new Response(NULL_BODY_STATUSES.has(response.status) ? null : clear, {
      status: response.status,
      statusText: response.statusText,
      headers: answered,
    });
  };
}

module.exports = { konaFetch };
