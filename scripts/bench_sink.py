#!/usr/bin/env python3
"""A throw-away upload index for the benchmark: accepts every POST, reads and
discards the body, answers 200 with an empty body. GET and the rest get 404.
Standard library only; listens on 127.0.0.1 only.

    bench_sink.py PORT_FILE LOG_FILE [--user U --password P]

Binds a free port and writes it to PORT_FILE once listening. Appends one line
per POST to LOG_FILE: `<status> <body bytes> <framing>` where framing is
`length` or `chunked`, so the caller can check that each file really arrived.
"""

import argparse
import base64
import http.server
import os
import threading

CHUNK = 1 << 20


class Sink(http.server.BaseHTTPRequestHandler):
    # HTTP/1.1: keep-alive between files, and `Expect: 100-continue` is
    # answered by the base class.
    protocol_version = "HTTP/1.1"
    expected_auth = None
    log_file = None
    lock = threading.Lock()

    def log_message(self, *args):  # the request log would only slow it down
        pass

    def _reply(self, status, headers=()):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _discard_length(self, n, buf):
        got = 0
        view = memoryview(buf)
        while got < n:
            r = self.rfile.readinto(view[: min(CHUNK, n - got)])
            if not r:
                raise ConnectionError("body ended early")
            got += r
        return got

    def _discard_chunked(self, buf):
        got = 0
        while True:
            line = self.rfile.readline(1024)
            if not line:
                raise ConnectionError("chunked body ended early")
            size = int(line.split(b";", 1)[0].strip(), 16)
            if size == 0:
                break
            got += self._discard_length(size, buf)
            self.rfile.readline(8)  # the CRLF after the chunk
        while self.rfile.readline(8192) not in (b"\r\n", b"\n", b""):
            pass  # trailers
        return got

    def do_POST(self):
        buf = bytearray(CHUNK)
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            framing, n = "chunked", self._discard_chunked(buf)
        else:
            framing = "length"
            n = self._discard_length(int(self.headers.get("Content-Length", 0)), buf)
        status = 200
        if self.expected_auth and self.headers.get("Authorization") != self.expected_auth:
            status = 401
        if status == 401:
            self._reply(401, [("WWW-Authenticate", 'Basic realm="bench"')])
        else:
            self._reply(200)
        with self.lock, open(self.log_file, "a") as f:
            f.write(f"{status} {n} {framing}\n")

    def do_GET(self):
        self._reply(404)

    do_HEAD = do_PUT = do_DELETE = do_GET


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("port_file")
    ap.add_argument("log_file")
    ap.add_argument("--user")
    ap.add_argument("--password")
    args = ap.parse_args()
    if args.user is not None:
        token = base64.b64encode(f"{args.user}:{args.password or ''}".encode()).decode()
        Sink.expected_auth = f"Basic {token}"
    Sink.log_file = args.log_file
    http.server.ThreadingHTTPServer.daemon_threads = True
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Sink)
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(server.server_address[1]))
    os.replace(tmp, args.port_file)  # the reader never sees a half-written port
    server.serve_forever()


if __name__ == "__main__":
    main()
