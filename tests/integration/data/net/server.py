#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""A test server for the proxy tests (test_net_proxy.sh, bench/net_proxy.sh).

usage: server.py --bind ADDR [--port N] --dir DIR [--cert PEM --key PEM] --log FILE [--answers N]

Serves files from DIR over HTTP (HTTPS with --cert/--key), and:
  /slow/N   a 200 whose body is N bytes, one every 100 ms (a long transfer)
  /hold/N   waits N seconds, then answers "held" (a long-lived connection)
Writes "port N" to stdout once it listens (port 0: one is chosen), and one
line per request ("GET /path") to the log, so that a test can tell that a
refused request never arrived.  With --answers N a connection's request after
N answered ones is read and logged, and the connection closed without an
answer (a keep-alive timeout that races with the request).  Only ever binds
the address it is given.
"""
import argparse
import http.server
import os
import ssl
import sys
import threading
import time


class Handler(http.server.SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def do_GET(self):
        with LOCK:
            with open(ARGS.log, "a") as f:
                f.write("%s %s\n" % (self.command, self.path))
        # One handler per connection: its own count.
        self.answered = getattr(self, "answered", 0) + 1
        if ARGS.answers and self.answered > ARGS.answers:
            self.close_connection = True
            return
        parts = self.path.split("/")
        if len(parts) == 3 and parts[1] in ("slow", "hold") and parts[2].isdigit():
            n = int(parts[2])
            if parts[1] == "hold":
                time.sleep(n)
                body = b"held\n"
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            self.send_response(200)
            self.send_header("Content-Length", str(n))
            self.end_headers()
            for _ in range(n):
                try:
                    self.wfile.write(b"x")
                    self.wfile.flush()
                except OSError:
                    return
                time.sleep(0.1)
            return
        super().do_GET()


LOCK = threading.Lock()
ARGS = None


def main():
    global ARGS
    p = argparse.ArgumentParser()
    p.add_argument("--bind", required=True)
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--dir", required=True)
    p.add_argument("--cert")
    p.add_argument("--key")
    p.add_argument("--log", required=True)
    p.add_argument("--answers", type=int, default=0)
    ARGS = p.parse_args()
    os.chdir(ARGS.dir)
    cls = http.server.ThreadingHTTPServer
    if ":" in ARGS.bind:
        class V6(http.server.ThreadingHTTPServer):
            address_family = __import__("socket").AF_INET6
        cls = V6
    cls.daemon_threads = True
    httpd = cls((ARGS.bind, ARGS.port), Handler)
    if ARGS.cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(ARGS.cert, ARGS.key)
        httpd.socket = ctx.wrap_socket(httpd.socket, server_side=True)
    print("port %d" % httpd.server_address[1], flush=True)
    httpd.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
