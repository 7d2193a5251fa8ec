"""A ticket system's webhook endpoint, for tests/watch.rs (`watch --hook URL`).

    python3 receiver.py OUT_DIR STATUS        (listens on 127.0.0.1, any free port)

Prints "listening PORT" once it accepts connections. Every POST body is saved as
OUT_DIR/<n>.json (n counts from 1, in arrival order) and answered with STATUS, so a test can
count deliveries (200) or make every attempt fail (500).
"""

import http.server
import itertools
import pathlib
import sys

out = pathlib.Path(sys.argv[1])
status = int(sys.argv[2])
out.mkdir(parents=True, exist_ok=True)
counter = itertools.count(1)


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        n = next(counter)
        # Written beside and renamed, so the test never reads half a body.
        tmp = out / f".{n}.tmp"
        tmp.write_bytes(body)
        tmp.rename(out / f"{n}.json")
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(f"listening {server.server_address[1]}", flush=True)
server.serve_forever()
