"""A real HTTP server on 127.0.0.1 with misbehaving routes, for download tests."""

from __future__ import annotations

import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Server:
    def __init__(self, payload: bytes, files: dict[str, bytes] | None = None):
        self.payload, self.files = payload, dict(files or {})
        self.hits: Counter[str] = Counter()
        self.gate = threading.Event()  # "gated/" bodies wait for it after their first piece
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output clean
                pass

            def _send(self, body: bytes, length: int | None = None, status: int = 200) -> None:
                self.send_response(status)
                self.send_header("Content-Length", str(len(body) if length is None else length))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                route = self.path.strip("/")
                outer.hits[route] += 1
                n = outer.hits[route]
                data = outer.payload
                if route in outer.files:
                    self._send(outer.files[route])
                elif route[:6] in ("paced/", "gated/") and route[6:] in outer.files:
                    # a file in 20 pieces: paced 0.1 s apart, or gated: held after the first until the gate opens
                    body = outer.files[route[6:]]
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    step = -(-len(body) // 20)
                    try:
                        for i in range(0, len(body), step):
                            self.wfile.write(body[i : i + step])
                            self.wfile.flush()
                            if route.startswith("gated/"):
                                outer.gate.wait(60)
                            else:
                                time.sleep(0.1)
                    except OSError:
                        pass
                elif route == "good.zip":
                    self._send(data)
                elif route == "wrong.zip":
                    self._send(data[::-1])
                elif route == "truncated.zip":  # announces the full length, sends half, closes
                    self._send(data[: len(data) // 2], length=len(data))
                    self.close_connection = True
                elif route == "flaky.zip":  # a 500, then the file
                    if n == 1:
                        self._send(b"oops", status=500)
                    else:
                        self._send(data)
                elif route == "drop.zip":  # first attempt: connection dropped mid-body
                    if n == 1:
                        self.send_response(200)
                        self.send_header("Content-Length", str(len(data)))
                        self.end_headers()
                        self.wfile.write(data[:100])
                        self.wfile.flush()
                        self.connection.shutdown(2)
                        self.close_connection = True
                    else:
                        self._send(data)
                elif route == "trickle.zip":  # one byte every 0.2 s: never times out per read, never ends soon
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    try:
                        for b in data:
                            self.wfile.write(bytes([b]))
                            self.wfile.flush()
                            time.sleep(0.2)
                    except OSError:
                        pass
                    self.close_connection = True
                elif route == "endless.zip":  # no length, a body that never stops
                    self.send_response(200)
                    self.end_headers()
                    try:
                        while True:
                            self.wfile.write(b"x" * 65536)
                    except OSError:
                        pass
                    self.close_connection = True
                elif route in ("loop.zip", "to-file.zip", "moved.zip", "to-bad-port.zip"):  # redirects
                    self.send_response(302)
                    self.send_header("Location", {"loop.zip": "/loop.zip", "to-file.zip": "file:///etc/passwd",
                                                  "moved.zip": "/good.zip",
                                                  "to-bad-port.zip": "http://127.0.0.1:99999/x"}[route])
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                elif route == "slow.zip":
                    time.sleep(1.0)
                    self._send(data)
                else:
                    self._send(b"not found", status=404)

        class Quiet(ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request, client_address):  # clients that hang up on purpose
                pass

        self.httpd = Quiet(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> Server:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
