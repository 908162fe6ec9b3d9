"""The HTTP integrations over loopback against real servers: KonaAuth for
httpx (sync and async) and requests against the Rust example server; the
ASGI middleware under uvicorn and the WSGI one under waitress, each driven
by the Rust example client and by KonaAuth; every refusal shape; a 4 MiB
body while another coroutine keeps running; the extras absent."""

import asyncio
import json
import os
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
import requests
import uvicorn
import waitress

import konaplate_crypto as km
from konaplate_crypto.asgi import KonaMiddleware as AsgiKona
from konaplate_crypto.httpx import KonaAuth as HttpxAuth
from konaplate_crypto.requests import KonaAuth as RequestsAuth
from konaplate_crypto.wsgi import KonaMiddleware as WsgiKona

from conftest import ACCESS_KEY, ASP_ID, CANCEL, KEY_B, SECRET, SEED_REQUEST, SEED_RESPONSE, VECTORS

ROOT = VECTORS.parent
EXAMPLES = ROOT / "target" / "debug" / "examples"
KONA_ROUTES = (ROOT / "routes" / "seed.json").read_text(encoding="utf-8")
OTHER_REQUEST = b'{"cardApplyNo":"2022110812081460812345","userId":999}'


def example(name):
    path = EXAMPLES / name
    assert path.exists(), f"{path} is missing: cargo test --workspace --all-features builds it"
    return str(path)


@pytest.fixture()
def keyring_file(tmp_path, dir_vectors):
    path = tmp_path / "keyring.json"
    path.write_text(json.dumps(dir_vectors["jwks"]), encoding="utf-8")
    return path


@pytest.fixture()
def env():
    return {**os.environ, "KM_SECRET": SECRET}


@pytest.fixture()
def rust_server(keyring_file, env):
    """The Rust example server (the seed's cancel endpoint), its URL."""
    process = subprocess.Popen(
        [example("server"), "--listen", "127.0.0.1:0", "--keyring", str(keyring_file),
         "--secret-env", "KM_SECRET", "--replay", "memory"],
        stdout=subprocess.PIPE, env=env, text=True,
    )
    try:
        yield process.stdout.readline().strip()
    finally:
        process.terminate()
        process.wait(10)


@pytest.fixture()
def client(signer, keyring):
    return km.Client(ASP_ID, signer, keyring, KONA_ROUTES, access_key=ACCESS_KEY, crypto_key_id=KEY_B)


@pytest.fixture()
def kona_server(signer, keyring):
    return km.Server(signer, keyring, KONA_ROUTES, replay_guard=10_000)


def rust_client(url, body, keyring_file, env):
    """The Rust example client: the body on stdin, the clear answer on stdout."""
    return subprocess.run(
        [example("client"), "--url", url, "--asp-id", ASP_ID, "--access-key", ACCESS_KEY,
         "--secret-env", "KM_SECRET", "--keyring", str(keyring_file), "--key-id", KEY_B],
        input=body, capture_output=True, env=env, timeout=30,
    )


def seed_answer(content):
    return json.loads(content) == json.loads(SEED_RESPONSE)


# --- The clients against the Rust example server ---------------------------------------


def test_httpx_sync_signs_sends_and_opens(rust_server, client):
    with httpx.Client(auth=HttpxAuth(client)) as http:
        answer = http.post(rust_server + CANCEL, content=SEED_REQUEST)
        assert answer.status_code == 200
        assert seed_answer(answer.content)
        assert answer.json()["mobileCardNo"] == "9410123412341234"
        # The platform's own refusal is checked and handed back clear (a body
        # of its own: the replay guard keys on the MAC, which covers the body).
        again = http.post(rust_server + CANCEL, content=SEED_REQUEST.replace(b",", b", "))
        assert again.status_code == 400 and again.json()["code"] == "003_003"


def test_httpx_async_signs_sends_and_opens(rust_server, client):
    async def main():
        async with httpx.AsyncClient(auth=HttpxAuth(client)) as http:
            answer = await http.post(rust_server + CANCEL, content=SEED_REQUEST)
            other = await http.post(rust_server + CANCEL, content=OTHER_REQUEST)
            return answer, other

    answer, other = asyncio.run(main())
    assert answer.status_code == 200 and seed_answer(answer.content)
    assert other.status_code == 400 and other.json()["code"] == "001_006"


def test_requests_signs_sends_and_opens(rust_server, client):
    answer = requests.post(rust_server + CANCEL, data=SEED_REQUEST, auth=RequestsAuth(client), timeout=10)
    assert answer.status_code == 200
    assert seed_answer(answer.content)
    assert "content-length" not in {k.lower() for k in answer.headers}


def test_a_streaming_body_is_refused_before_sending(client):
    # Nothing listens on port 9 here: sending anything would be a connection error.
    def chunks():
        yield b"{}"

    with httpx.Client(auth=HttpxAuth(client)) as http:
        with pytest.raises(km.StreamingBody):
            http.post("http://127.0.0.1:9" + CANCEL, content=chunks())
    with pytest.raises(km.StreamingBody):
        requests.post("http://127.0.0.1:9" + CANCEL, data=chunks(), auth=RequestsAuth(client), timeout=5)


class _Foreign(BaseHTTPRequestHandler):
    """Answers another request's correlation id, or a proxy's 502."""

    other_id = ""
    proxy_error = False

    def do_POST(self):
        self.rfile.read(int(self.headers["Content-Length"]))
        if self.proxy_error:
            self.send_response(502)
            body = b"bad gateway"
        else:
            self.send_response(200)
            self.send_header("X-KM-Correlation-Id", self.other_id)
            self.send_header("X-KM-Crypto-Key-Id", KEY_B)
            body = SEED_RESPONSE
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_another_requests_answer_is_refused_and_a_proxys_error_passes(client):
    _Foreign.other_id = client.prepare("POST", CANCEL, b"{}").correlation_id
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Foreign)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        with httpx.Client(auth=HttpxAuth(client)) as http:
            with pytest.raises(km.CorrelationIdMismatch):
                http.post(url + CANCEL, content=SEED_REQUEST)
        with pytest.raises(km.CorrelationIdMismatch):
            requests.post(url + CANCEL, data=SEED_REQUEST, auth=RequestsAuth(client), timeout=10)
        _Foreign.proxy_error = True
        with httpx.Client(auth=HttpxAuth(client)) as http:
            passed = http.post(url + CANCEL, content=SEED_REQUEST)
        assert (passed.status_code, passed.content) == (502, b"bad gateway")
        passed = requests.post(url + CANCEL, data=SEED_REQUEST, auth=RequestsAuth(client), timeout=10)
        assert (passed.status_code, passed.content) == (502, b"bad gateway")
    finally:
        _Foreign.proxy_error = False
        server.shutdown()
        server.server_close()


# --- The servers: ASGI under uvicorn, WSGI under waitress ------------------------------


async def seed_app(scope, receive, send):
    """A bare ASGI app playing the platform: the seed answer, or for user 999
    a body that is not JSON (its route cannot protect it)."""
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    kona = scope["kona"]
    answer = b"not JSON: 9410123412341234" if b'"userId":999' in body else SEED_RESPONSE
    await send({"type": "http.response.start", "status": 200, "headers": [
        (b"content-type", b"application/json"),
        (b"x-seen-asp-id", kona["headers"]["X-KM-User-AspId"].encode()),
        (b"x-seen-route", kona["route"][1].encode()),
        (b"x-seen-length", str(len(body)).encode()),
    ]})
    await send({"type": "http.response.body", "body": answer})


def seed_wsgi(environ, start_response):
    body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
    kona = environ["kona"]
    answer = b"not JSON: 9410123412341234" if b'"userId":999' in body else SEED_RESPONSE
    start_response("200 OK", [
        ("Content-Type", "application/json"),
        ("X-Seen-Asp-Id", kona["headers"]["X-KM-User-AspId"]),
        ("X-Seen-Route", kona["route"][1]),
        ("X-Seen-Length", str(len(body))),
    ])
    return [answer]


@pytest.fixture()
def uvicorn_url(kona_server):
    config = uvicorn.Config(AsgiKona(seed_app, kona_server, max_body=1 << 16), host="127.0.0.1",
                            port=0, log_level="error", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


@pytest.fixture()
def waitress_url(kona_server):
    server = waitress.create_server(WsgiKona(seed_wsgi, kona_server, max_body=1 << 16),
                                    host="127.0.0.1", port=0, threads=2)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        server.close()
        thread.join(10)


@pytest.fixture(params=["asgi", "wsgi"])
def kona_url(request):
    return request.getfixturevalue("uvicorn_url" if request.param == "asgi" else "waitress_url")


def test_the_rust_example_client_is_served(kona_url, keyring_file, env):
    done = rust_client(kona_url, SEED_REQUEST, keyring_file, env)
    assert done.returncode == 0, done.stderr
    assert seed_answer(done.stdout)


def test_konaauth_is_served_and_the_app_sees_the_verified_request(kona_url, client):
    with httpx.Client(auth=HttpxAuth(client)) as http:
        answer = http.post(kona_url + CANCEL, content=SEED_REQUEST)
    assert answer.status_code == 200 and seed_answer(answer.content)
    assert answer.headers["x-seen-asp-id"] == ASP_ID
    assert answer.headers["x-seen-route"] == CANCEL
    assert answer.headers["x-seen-length"] == str(len(SEED_REQUEST))
    answer = requests.post(kona_url + CANCEL, data=SEED_REQUEST.replace(b"}", b' }'),
                           auth=RequestsAuth(client), timeout=10)
    assert answer.status_code == 200 and seed_answer(answer.content)


def refusal(answer):
    body = answer.json()
    assert set(body) == {"code", "message"} and body["message"], body
    return answer.status_code, body["code"]


def test_every_refusal_shape(kona_url, client):
    request = client.prepare("POST", CANCEL, SEED_REQUEST)
    headers = dict(request.headers)
    plain = httpx.Client()
    post = lambda path, body, hs: plain.post(kona_url + path, content=body, headers=hs)  # noqa: E731
    assert refusal(post(CANCEL, request.body, {})) == (400, "missing_header")
    assert refusal(post(CANCEL, request.body + b" ", headers)) == (401, "token_mismatch")
    assert refusal(post("/nowhere", request.body, headers)) == (404, "route_not_found")
    assert refusal(post(CANCEL + "?userId=1", request.body, headers)) == (400, "query_not_allowed")
    big = client.prepare("POST", CANCEL, b" " * (1 << 17))
    assert refusal(post(CANCEL, big.body, dict(big.headers))) == (413, "too_large")
    assert post(CANCEL, request.body, headers).status_code == 200
    assert refusal(post(CANCEL, request.body, headers)) == (401, "replayed")
    # An answer its route cannot protect: a bare 500, never the clear body.
    other = client.prepare("POST", CANCEL, OTHER_REQUEST)
    answer = post(CANCEL, other.body, dict(other.headers))
    assert refusal(answer) == (500, "internal_error")
    assert b"9410123412341234" not in answer.content
    plain.close()


def test_a_chunked_body_over_the_limit_is_refused(kona_url, client):
    request = client.prepare("POST", CANCEL, b" " * (1 << 17))

    def chunks():
        for at in range(0, len(request.body), 8192):
            yield request.body[at:at + 8192]

    with httpx.Client() as plain:
        answer = plain.post(kona_url + CANCEL, content=chunks(), headers=dict(request.headers))
    assert refusal(answer) == (413, "too_large")


def test_a_4_mib_body_leaves_the_event_loop_free(signer, keyring):
    """The envelope route, 4 MiB each way, through the ASGI middleware in
    this event loop while a second coroutine counts its turns: the
    accepting and the sealing run in a thread, so it keeps turning."""
    routes = json.dumps({"routes": [{"method": "POST", "path": "/big", "request": "envelope",
                                     "response": "envelope"}]})
    client = km.Client(ASP_ID, signer, keyring, routes, access_key=ACCESS_KEY, crypto_key_id=KEY_B)
    server = km.Server(signer, keyring, routes)
    clear = b'{"blob":"' + b"x" * (4 << 20) + b'"}'
    request = client.prepare("POST", "/big", clear)

    async def echo(scope, receive, send):
        body = (await receive())["body"]
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": body})

    middleware = AsgiKona(echo, server, max_body=16 << 20)
    scope = {"type": "http", "method": "POST", "path": "/big", "raw_path": b"/big", "query_string": b"",
             "headers": [(k.lower().encode(), v.encode()) for k, v in request.headers]}

    async def main():
        turns = 0
        running = True

        async def ticker():
            nonlocal turns
            while running:
                turns += 1
                await asyncio.sleep(0)

        sent = []

        async def receive():
            return {"type": "http.request", "body": request.body, "more_body": False}

        async def send(message):
            sent.append(message)

        task = asyncio.create_task(ticker())
        await asyncio.sleep(0)
        before = turns
        await middleware(scope, receive, send)
        during = turns - before
        running = False
        await task
        return sent, during

    sent, during = asyncio.run(main())
    start, body = sent
    assert start["status"] == 200
    headers = dict((k.decode(), v.decode()) for k, v in start["headers"])
    assert client.finish(request, list(headers.items()), body["body"]) == clear
    # Two large steps in threads (accept, respond): the ticker ran throughout.
    assert during > 100, f"the other coroutine ran {during} times"


def test_the_core_module_imports_without_the_extras():
    code = (
        "import sys; sys.modules['httpx'] = None; sys.modules['requests'] = None\n"
        "import konaplate_crypto, konaplate_crypto.asgi, konaplate_crypto.wsgi\n"
        "for extra in ('httpx', 'requests'):\n"
        "    try:\n"
        "        __import__('konaplate_crypto.' + extra)\n"
        "    except ImportError:\n"
        "        print('no', extra)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[:2] == ["no httpx", "no requests"]


def test_a_bad_head_is_refused_before_the_body_is_read(kona_server, client):
    """Neither middleware reads a byte of the body of a request whose head
    fails; a good head's body is read and accepted."""
    request = client.prepare("POST", CANCEL, SEED_REQUEST)
    good = [(k, v) for k, v in request.headers]
    bad = [(k, v) for k, v in good if k != "X-KM-Tran-Token"]

    def asgi(headers):
        reads, sent = [], []

        async def receive():
            reads.append(1)
            return {"type": "http.request", "body": request.body, "more_body": False}

        async def send(message):
            sent.append(message)

        scope = {"type": "http", "method": "POST", "path": CANCEL, "raw_path": CANCEL.encode(),
                 "query_string": b"", "headers": [(k.lower().encode(), v.encode()) for k, v in headers]}
        asyncio.run(AsgiKona(seed_app, kona_server)(scope, receive, send))
        return len(reads), sent[0]["status"]

    class Input:
        def __init__(self):
            self.reads = 0

        def read(self, n=-1):
            self.reads += 1
            return request.body

    def wsgi(headers):
        stream, status = Input(), []
        environ = {"REQUEST_METHOD": "POST", "PATH_INFO": CANCEL, "wsgi.input": stream,
                   "CONTENT_LENGTH": str(len(request.body))}
        environ.update({"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers})
        WsgiKona(seed_wsgi, kona_server)(environ, lambda s, h, e=None: status.append(s))
        return stream.reads, int(status[0].split()[0])

    assert asgi(bad) == (0, 400)
    assert wsgi(bad) == (0, 400)
    assert asgi(good) == (1, 200)
    # A request of its own for WSGI (the replay guard keys on the body's MAC).
    request = client.prepare("POST", CANCEL, b'{"userId":5}')
    assert wsgi(list(request.headers)) == (1, 200)
