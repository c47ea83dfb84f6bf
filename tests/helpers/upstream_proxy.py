#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""A loopback stand-in for a corporate HTTP proxy, for test_curl_download.sh.

Binds 127.0.0.1 on a free port and prints "port N".  Serves absolute-URL
requests (GET http://host:port/path) and CONNECT host:port tunnels, sending
them on to the address --map gives the name (only loopback addresses are
accepted, so nothing it does leaves the machine).  Each request line is
appended to --log, so a test can tell the request came through here.
--deny NAME answers 403 for that name, as a proxy with its own policy would.
"""
import argparse
import select
import socket
import socketserver
import sys
import threading


def parse_args():
    ap = argparse.ArgumentParser()
    ap.add_argument("--log", required=True)
    ap.add_argument("--map", action="append", default=[], help="NAME=127.0.0.1")
    ap.add_argument("--deny", action="append", default=[])
    return ap.parse_args()


ARGS = parse_args()
MAP = {}
for item in ARGS.map:
    name, addr = item.split("=", 1)
    if not addr.startswith("127."):
        sys.exit("upstream_proxy: only loopback addresses")
    MAP[name.lower()] = addr
LOCK = threading.Lock()


def log(line):
    with LOCK, open(ARGS.log, "a") as f:
        f.write(line + "\n")


def split_hostport(text, default):
    host, _, port = text.rpartition(":")
    if not host:
        return text, default
    return host.strip("[]").lower(), int(port)


class Handler(socketserver.BaseRequestHandler):
    def read_head(self):
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = self.request.recv(4096)
            if not chunk:
                return None, b""
            data += chunk
        head, _, rest = data.partition(b"\r\n\r\n")
        return head.decode("latin-1"), rest

    def answer(self, status, text):
        body = text.encode()
        self.request.sendall(
            b"HTTP/1.1 %d %s\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s"
            % (status, text.encode(), len(body), body))

    def handle(self):
        head, rest = self.read_head()
        if head is None:
            return
        lines = head.split("\r\n")
        log(lines[0])
        method, target, version = lines[0].split(" ", 2)
        if method == "CONNECT":
            host, port = split_hostport(target, 443)
        elif target.startswith("http://"):
            hostport, _, path = target[7:].partition("/")
            host, port = split_hostport(hostport, 80)
            path = "/" + path
        else:
            self.answer(400, "Bad Request")
            return
        if host in ARGS.deny:
            self.answer(403, "Forbidden")
            return
        addr = MAP.get(host)
        if addr is None:
            self.answer(502, "Bad Gateway")
            return
        try:
            up = socket.create_connection((addr, port), timeout=10)
        except OSError:
            self.answer(502, "Bad Gateway")
            return
        with up:
            if method == "CONNECT":
                self.request.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
                if rest:
                    up.sendall(rest)
            else:
                # The origin gets the path, as a proxy sends it.
                lines[0] = "%s %s %s" % (method, path, version)
                kept = [l for l in lines if not l.lower().startswith("proxy-")]
                up.sendall(("\r\n".join(kept) + "\r\n\r\n").encode("latin-1") + rest)
            socks = [self.request, up]
            while True:
                ready, _, _ = select.select(socks, [], [], 30)
                if not ready:
                    return
                for s in ready:
                    data = s.recv(65536)
                    if not data:
                        return
                    (up if s is self.request else self.request).sendall(data)


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    srv = Server(("127.0.0.1", 0), Handler)
    print("port %d" % srv.server_address[1], flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    main()
