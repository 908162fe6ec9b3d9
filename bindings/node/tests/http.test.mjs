// konaFetch against konaMiddleware over loopback: Node's own http server
// and Express, each a real server on 127.0.0.1, each driven by konaFetch
// and by hand-made requests for the refusals.

import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';
import { Readable } from 'node:stream';

import express from 'express';

import { CANCEL, KEY_B, SEED_REQUEST, SEED_RESPONSE, km, parties } from './support.mjs';

/** Starts `handler` on 127.0.0.1; resolves to its base URL and server. */
async function listen(handler) {
  const server = http.createServer(handler);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { base: `http://127.0.0.1:${server.address().port}`, server };
}

/** A raw request: status, headers and body text. */
function raw(base, path, { method = 'POST', headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const request = http.request(`${base}${path}`, { method, headers }, (response) => {
      const chunks = [];
      response.on('data', (c) => chunks.push(c));
      response.on('end', () =>
        resolve({ status: response.statusCode, headers: response.headers, text: Buffer.concat(chunks).toString() }),
      );
    });
    request.on('error', reject);
    request.end(body);
  });
}

// The replay guard refuses a MAC seen before, and the MAC covers the body
// only: each request of these tests has a body of its own.
let sent = 0;
const seedRequest = () => SEED_REQUEST + ' '.repeat(++sent);

/** The app both servers run: echoes, seals, fails on purpose. */
function handle(req, res) {
  const path = req.url.split('?')[0];
  if (path === CANCEL) {
    assert.deepEqual(JSON.parse(req.kona.body), JSON.parse(SEED_REQUEST));
    res.setHeader('content-type', 'application/json');
    res.write(SEED_RESPONSE.slice(0, 10));
    res.end(SEED_RESPONSE.slice(10));
  } else if (path.endsWith('/pan')) {
    res.writeHead(201, { 'x-card': req.kona.route.params.cardId });
    res.end(req.kona.body);
  } else {
    throw new Error('unreachable: the middleware refuses other routes');
  }
}

const fronts = {
  'node:http': (kona) => listen((req, res) => kona(req, res, () => handle(req, res))),
  express: (kona) => {
    const app = express();
    app.use(kona);
    app.post(CANCEL, (req, res) => handle(req, res));
    app.post('/api/v1/cards/:cardId/pan', (req, res) => {
      res.status(201).set('x-card', req.kona.route.params.cardId).send(req.kona.body);
    });
    return listen(app);
  },
};

for (const [name, start] of Object.entries(fronts)) {
  describe(`konaFetch against konaMiddleware under ${name}`, () => {
    const { client, server } = parties({ replayGuard: true });
    let front;
    before(async () => {
      front = await start(km.konaMiddleware(server, { maxBody: 8 << 20 }));
    });
    after(() => front.server.close());

    test('the seed flow: the fields travel sealed, the client reads them clear', async () => {
      const seen = [];
      const spy = async (url, init) => {
        const response = await fetch(url, init);
        seen.push({ sent: init.body.toString(), answer: await response.clone().text() });
        return response;
      };
      const kfetch = km.konaFetch(client, { fetch: spy });
      const body = seedRequest();
      const response = await kfetch(`${front.base}${CANCEL}`, { method: 'POST', body });
      assert.equal(response.status, 200);
      assert.equal(await response.text(), SEED_RESPONSE);
      assert.equal(seen[0].sent, body);
      assert.ok(!seen[0].answer.includes('9410123412341234'));
      assert.equal(JSON.parse(seen[0].answer).code, '000_000');
      assert.equal(response.headers.get('x-km-crypto-key-id'), KEY_B);
    });

    test('an envelope route, a Request as input, a 4 MiB body', async () => {
      const kfetch = km.konaFetch(client);
      const body = JSON.stringify({ blob: 'x'.repeat(4 << 20) });
      const response = await kfetch(new Request(`${front.base}/api/v1/cards/C9/pan`, { method: 'POST', body }));
      assert.equal(response.status, 201);
      assert.equal(response.headers.get('x-card'), 'C9');
      assert.equal(await response.text(), body);
    });

    test('a streaming body is refused before anything is sent', async () => {
      let sent = 0;
      const kfetch = km.konaFetch(client, { fetch: () => sent++ });
      for (const body of [Readable.from(['{}']), new ReadableStream()]) {
        await assert.rejects(kfetch(`${front.base}${CANCEL}`, { method: 'POST', body, duplex: 'half' }), km.StreamingBody);
      }
      assert.equal(sent, 0);
    });

    test('refusals are {"code","message"} with the category status', async () => {
      const request = client.prepare('POST', CANCEL, seedRequest());
      const cases = [
        [{ headers: request.headers, body: `${request.body} ` }, 401, 'token_mismatch'],
        [{ headers: {}, body: SEED_REQUEST }, 400, 'missing_header'],
        [{ headers: request.headers, body: SEED_REQUEST, path: '/nowhere' }, 404, 'route_not_found'],
        [{ headers: request.headers, body: SEED_REQUEST, path: `${CANCEL}?userId=1` }, 400, 'query_not_allowed'],
      ];
      for (const [{ path = CANCEL, ...options }, status, code] of cases) {
        const answer = await raw(front.base, path, options);
        assert.equal(answer.status, status, answer.text);
        assert.equal(answer.headers['content-type'], 'application/json');
        const refusal = JSON.parse(answer.text);
        assert.deepEqual(Object.keys(refusal), ['code', 'message']);
        assert.equal(refusal.code, code);
      }
      // The honest request still passes, and its replay does not.
      assert.equal((await raw(front.base, CANCEL, { headers: request.headers, body: request.body })).status, 200);
      const replay = await raw(front.base, CANCEL, { headers: request.headers, body: request.body });
      assert.equal(replay.status, 401);
      assert.equal(JSON.parse(replay.text).code, 'replayed');
    });

    test('a Content-Length over the limit is refused before the body is read', async () => {
      const request = client.prepare('POST', CANCEL, seedRequest());
      // Only the head is sent: the answer comes without a byte of the body.
      const answer = await new Promise((resolve, reject) => {
        const r = http.request(`${front.base}${CANCEL}`, {
          method: 'POST',
          headers: { ...request.headers, 'content-length': String(9 << 20) },
        });
        r.on('response', (response) => {
          const chunks = [];
          response.on('data', (c) => chunks.push(c));
          response.on('end', () => resolve({ status: response.statusCode, text: Buffer.concat(chunks).toString() }));
        });
        r.on('error', reject);
        r.flushHeaders();
      });
      assert.equal(answer.status, 413);
      assert.equal(JSON.parse(answer.text).code, 'too_large');
    });

    test('an answer that does not match the request is refused by the client', async () => {
      const other = client.prepare('POST', CANCEL, seedRequest());
      const foreign = server.respond(server.accept('POST', CANCEL, other.headers, other.body), SEED_RESPONSE);
      const kfetch = km.konaFetch(client, {
        fetch: async () => new Response(foreign.body, { headers: foreign.headers }),
      });
      await assert.rejects(kfetch(`${front.base}${CANCEL}`, { method: 'POST', body: seedRequest() }), km.CorrelationIdMismatch);
    });
  });
}

describe('the middleware, for answers it cannot protect', () => {
  test('a body over the limit without a Content-Length stops at the limit', async () => {
    const { client, server } = parties();
    const front = await listen((req, res) => km.konaMiddleware(server, { maxBody: 1024 })(req, res, () => res.end('{}')));
    try {
      const request = client.prepare('POST', CANCEL, JSON.stringify({ blob: 'x'.repeat(4096) }));
      const answer = await raw(front.base, CANCEL, {
        headers: { ...request.headers, 'transfer-encoding': 'chunked' },
        body: request.body,
      });
      assert.equal(answer.status, 413);
      assert.equal(JSON.parse(answer.text).code, 'too_large');
    } finally {
      front.server.close();
    }
  });

  test('an answer the route cannot protect, or a handler that throws, is a bare 500', async () => {
    const { client, server } = parties();
    const kona = km.konaMiddleware(server);
    const front = await listen((req, res) =>
      kona(req, res, () => {
        if (req.url.endsWith('/pan')) throw new Error('boom');
        // The route seals fields of a JSON answer; this one is no JSON.
        res.end('card 9410123412341234');
      }),
    );
    try {
      for (const path of [CANCEL, '/api/v1/cards/1/pan']) {
        const request = client.prepare('POST', path, seedRequest());
        const answer = await raw(front.base, path, { headers: request.headers, body: request.body });
        assert.equal(answer.status, 500);
        assert.deepEqual(JSON.parse(answer.text), { code: 'internal_error', message: 'the server cannot process this request' });
        assert.equal(answer.headers['x-km-correlation-id'], undefined);
      }
    } finally {
      front.server.close();
    }
  });

  test('a fetch answer that is a plain error page comes back as it came', async () => {
    const { client } = parties();
    const front = await listen((req, res) => {
      res.writeHead(502, { 'content-type': 'text/plain' });
      res.end('bad gateway');
    });
    try {
      const response = await km.konaFetch(client)(`${front.base}${CANCEL}`, { method: 'POST', body: SEED_REQUEST });
      assert.equal(response.status, 502);
      assert.equal(await response.text(), 'bad gateway');
    } finally {
      front.server.close();
    }
  });
});
