#!/usr/bin/env python3
"""feedserver.py: a scriptable HTTP/1.1 test server for feedwatch's tests.

Python 3 standard library only. Binds loopback only; never use it for
anything but tests.

Usage
-----
    python3 feedserver.py --port 0 --routes routes.json --log requests.jsonl [--root DIR] [--bind 127.0.0.1]
                          [--exit-on-stdin-eof]

* The first line on stdout is the port actually bound (``--port 0`` picks a
  free one), then the server runs until killed (SIGTERM/SIGKILL).
* ``routes.json`` is re-read whenever its mtime or size changes (checked on
  every request), and on SIGHUP, so a test can change what a feed serves by
  rewriting the file (write to a temp name and rename for atomicity).
* Every request is appended to ``--log`` as one JSON line, flushed before the
  response is written::

      {"method": "GET", "path": "/feed.xml", "headers": {"User-Agent": "...", ...},
       "time": 1700000000.123, "peer": "127.0.0.1:41234"}

  ``peer`` is the client's address and port: equal ports on two requests
  mean the client reused one connection. Header names are as sent; a repeated header's values are joined with ", ".
* ``--exit-on-stdin-eof``: exit when stdin hits EOF. Test helpers pass a pipe
  whose write end they hold, so the server dies with the test process even
  when that is killed before it can clean up.
* ``--root`` is the directory ``body_file`` paths are relative to (default:
  the directory of routes.json).

routes.json
-----------
A JSON object mapping a request path (query string included, if any; a
route without the query also matches) to a route object. A path that is not
listed gets 404. Route keys, all optional:

  status              int, default 200 (302 when redirect_to is given)
  headers             object {name: value} or list of [name, value] pairs
                      (repeat a name in the list form for repeated headers)
  content_type        shorthand for the Content-Type header (default
                      "application/rss+xml" when a body is served)
  body                string body (UTF-8)
  body_file           file whose bytes are the body
  repeat_body_bytes   int: the body (or "x" when none) repeated up to this
                      many bytes (big bodies without big fixtures)
  gzip                true: gzip the body and send Content-Encoding: gzip
                      (compressed bodies are cached, so a gzip bomb of
                      repeat_body_bytes=100000000 is built once)
  delay_s             float: sleep before sending the status line
  drip_bytes_per_s    int: send the body at this rate (slow-loris server)
  reset_after_bytes   int: advertise the full Content-Length, send this many
                      body bytes, then reset the connection (TCP RST)
  redirect_to         value for Location (absolute or relative)
  hang_after_headers  true: send the headers, then send nothing (up to 120 s)
  etag                sent as ETag; a request whose If-None-Match lists it
                      (or "*") gets 304
  last_modified       sent as Last-Modified; a request without If-None-Match
                      whose If-Modified-Since equals it byte for byte gets 304

Example::

    {"/feed.xml": {"body_file": "feed.xml", "etag": "\\"v1\\"", "gzip": true},
     "/old": {"status": 301, "redirect_to": "/feed.xml"},
     "/slow": {"body": "....", "drip_bytes_per_s": 10}}

Swift helpers that start this script, wait for the port and kill it on
deinit live in each test target (e.g. Tests/FeedwatchFetchTests/FeedServer.swift).
"""

import argparse
import gzip
import io
import json
import os
import signal
import socket
import struct
import sys
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class State:
    lock = threading.Lock()
    routes_path = None
    routes_sig = None
    routes = {}
    root = "."
    log = None
    gzip_cache = {}
    force_reload = False


def load_routes(force=False):
    with State.lock:
        try:
            st = os.stat(State.routes_path)
            sig = (st.st_mtime_ns, st.st_size)
        except OSError:
            return State.routes
        if force or State.force_reload or sig != State.routes_sig:
            try:
                with open(State.routes_path, "rb") as f:
                    State.routes = json.load(f)
                State.routes_sig = sig
                State.force_reload = False
                State.gzip_cache.clear()
            except (OSError, ValueError):
                pass  # half-written file: keep the previous routes
        return State.routes


def build_body(route):
    body = b""
    if "body_file" in route:
        path = route["body_file"]
        if not os.path.isabs(path):
            path = os.path.join(State.root, path)
        with open(path, "rb") as f:
            body = f.read()
    elif "body" in route:
        body = route["body"].encode("utf-8")
    n = route.get("repeat_body_bytes")
    if n is not None:
        unit = body or b"x"
        body = (unit * (n // len(unit) + 1))[:n]
    if route.get("gzip"):
        key = json.dumps(route, sort_keys=True)
        with State.lock:
            cached = State.gzip_cache.get(key)
        if cached is None:
            c = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: gzip container
            parts = []
            view = memoryview(body)
            for i in range(0, len(body), 1 << 20):
                parts.append(c.compress(view[i:i + (1 << 20)]))
            parts.append(c.flush())
            cached = b"".join(parts)
            with State.lock:
                State.gzip_cache[key] = cached
        body = cached
    return body


def header_pairs(route):
    h = route.get("headers") or {}
    if isinstance(h, dict):
        return list(h.items())
    return [tuple(p) for p in h]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, so clients can reuse connections
    server_version = "feedserver/1"

    def log_message(self, fmt, *args):
        pass  # requests go to the JSON log instead

    def log_request_json(self):
        headers = {}
        for name, value in self.headers.items():
            headers[name] = headers[name] + ", " + value if name in headers else value
        line = json.dumps({"method": self.command, "path": self.path,
                           "headers": headers, "time": time.time(),
                           "peer": "%s:%d" % self.client_address[:2]})
        with State.lock:
            State.log.write(line + "\n")
            State.log.flush()

    def do_HEAD(self):
        self.handle_any(send_body=False)

    def do_GET(self):
        self.handle_any(send_body=True)

    def handle_any(self, send_body):
        self.log_request_json()
        routes = load_routes()
        route = routes.get(self.path)
        if route is None:
            route = routes.get(self.path.split("?", 1)[0])
        if route is None:
            self.send_simple(404, b"not found\n")
            return
        if route.get("delay_s"):
            time.sleep(float(route["delay_s"]))

        status = int(route.get("status", 302 if "redirect_to" in route else 200))
        etag = route.get("etag")
        last_modified = route.get("last_modified")
        inm = self.headers.get("If-None-Match")
        ims = self.headers.get("If-Modified-Since")
        not_modified = False
        if status == 200:
            if inm is not None and etag is not None:
                tags = [t.strip() for t in inm.split(",")]
                not_modified = "*" in tags or etag in tags
            elif inm is None and ims is not None and last_modified is not None:
                not_modified = ims == last_modified

        headers = header_pairs(route)
        if "redirect_to" in route:
            headers.append(("Location", route["redirect_to"]))
        if etag is not None:
            headers.append(("ETag", etag))
        if last_modified is not None:
            headers.append(("Last-Modified", last_modified))

        if not_modified:
            self.send_response(304)
            for k, v in headers:
                self.send_header(k, v)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return

        body = build_body(route)
        self.send_response(status)
        names = {k.lower() for k, _ in headers}
        if body and "content-type" not in names:
            headers.append(("Content-Type", route.get("content_type", "application/rss+xml")))
        elif "content_type" in route and "content-type" not in names:
            headers.append(("Content-Type", route["content_type"]))
        if route.get("gzip"):
            headers.append(("Content-Encoding", "gzip"))
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.flush()

        if route.get("hang_after_headers"):
            self.hang()
            return
        if not send_body:
            return
        reset_after = route.get("reset_after_bytes")
        if reset_after is not None:
            self.wfile.write(body[:int(reset_after)])
            self.wfile.flush()
            time.sleep(0.05)
            # SO_LINGER with a zero timeout makes close() send RST.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            self.close_connection = True
            return
        rate = route.get("drip_bytes_per_s")
        try:
            if rate:
                rate = max(1, int(rate))
                chunk = max(1, rate // 10)
                for i in range(0, len(body), chunk):
                    self.wfile.write(body[i:i + chunk])
                    self.wfile.flush()
                    time.sleep(chunk / rate)
            else:
                self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def hang(self):
        deadline = time.time() + 120
        self.connection.settimeout(0.2)
        while time.time() < deadline:
            try:
                if self.connection.recv(1, socket.MSG_PEEK) == b"":
                    break  # client went away
            except socket.timeout:
                continue
            except OSError:
                break
            time.sleep(0.2)
        self.close_connection = True

    def send_simple(self, status, body):
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def handle_error(self, request, client_address):
        # Clients that reset or abandon connections are what the tests are
        # about; keep stderr quiet.
        pass


def main():
    ap = argparse.ArgumentParser(description="scriptable feed test server")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--bind", default="127.0.0.1")
    ap.add_argument("--routes", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--root")
    ap.add_argument("--exit-on-stdin-eof", action="store_true",
                    help="exit when stdin reaches EOF (give it a pipe: the server then dies with its parent)")
    args = ap.parse_args()
    # A parent may spawn us with signals blocked (Foundation's Process on
    # Linux passes on the spawning thread's mask): unblock, or SIGTERM and
    # SIGHUP would never arrive.
    signal.pthread_sigmask(signal.SIG_SETMASK, [])
    State.routes_path = args.routes
    State.root = args.root or os.path.dirname(os.path.abspath(args.routes))
    State.log = open(args.log, "a", encoding="utf-8")
    load_routes(force=True)

    def on_hup(signum, frame):
        State.force_reload = True
    signal.signal(signal.SIGHUP, on_hup)
    signal.signal(signal.SIGTERM, lambda s, f: os._exit(0))

    if args.exit_on_stdin_eof:
        def watch_parent():
            try:
                while sys.stdin.buffer.read(4096):
                    pass
            finally:
                os._exit(0)
        threading.Thread(target=watch_parent, daemon=True).start()

    server = Server((args.bind, args.port), Handler)
    sys.stdout.write("%d\n" % server.server_address[1])
    sys.stdout.flush()
    server.serve_forever(poll_interval=0.2)


if __name__ == "__main__":
    main()
