#!/usr/bin/python3
"""Loopback HTTP/1.1 server with scripted behaviours, for tests/test_http.c.

Binds 127.0.0.1 on a free port, prints the port on stdout, serves until
killed. Keep-alive is on (HTTP/1.1, Content-Length on every reply).

  /ok               200 "ok"
  /status/<n>       reply with status n
  /slow?ms=<n>      wait n ms, then 200 with {"concurrent": k} (k in flight
                    on arrival, this one included)
  /reset            close the connection without a response (TCP RST)
  /big?bytes=<n>    200 with n bytes of "x" (&nolength=1: no Content-Length,
                    the body ends when the connection closes)
  /echo             200 with JSON {method, path, headers, body}
  /count            200 with JSON {connections, max_concurrent}

With --tls DIR it serves HTTPS with a fresh self-signed certificate for
127.0.0.1, written to DIR/cert.pem (the test's CA bundle) and DIR/key.pem.
"""
import argparse
import json
import os
import ssl
import subprocess
import socket
import struct
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

LOCK = threading.Lock()
STATE = {"connections": 0, "concurrent": 0, "max_concurrent": 0}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True   # headers and body go in separate writes

    def log_message(self, fmt, *args):
        pass

    def setup(self):
        super().setup()
        with LOCK:
            STATE["connections"] += 1

    def reply(self, status, body, ctype="text/plain"):
        if isinstance(body, str):
            body = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Fixture", "yes")
        self.end_headers()
        self.wfile.write(body)

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    def route(self):
        url = urlsplit(self.path)
        q = {k: v[0] for k, v in parse_qs(url.query).items()}
        data = self.body()
        if url.path == "/ok":
            self.reply(200, "ok")
        elif url.path.startswith("/status/"):
            self.reply(int(url.path.split("/")[2]), "status")
        elif url.path == "/slow":
            with LOCK:
                STATE["concurrent"] += 1
                now = STATE["concurrent"]
                STATE["max_concurrent"] = max(STATE["max_concurrent"], now)
            try:
                time.sleep(int(q.get("ms", "100")) / 1000.0)
                self.reply(200, json.dumps({"concurrent": now}), "application/json")
            finally:
                with LOCK:
                    STATE["concurrent"] -= 1
        elif url.path == "/reset":
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                       struct.pack("ii", 1, 0))
            self.close_connection = True
            self.connection.close()
        elif url.path == "/big":
            n = int(q.get("bytes", "0"))
            self.send_response(200)
            if q.get("nolength"):
                # Body runs to the end of the connection.
                self.send_header("Connection", "close")
                self.close_connection = True
            else:
                self.send_header("Content-Length", str(n))
            self.end_headers()
            chunk = b"x" * 65536
            if self.command == "HEAD":
                n = 0
            try:
                while n > 0:
                    self.wfile.write(chunk[:min(n, len(chunk))])
                    n -= len(chunk)
            except OSError:
                self.close_connection = True
        elif url.path == "/echo":
            self.reply(200, json.dumps({
                "method": self.command,
                "path": self.path,
                "headers": {k.lower(): v for k, v in self.headers.items()},
                "body": data.decode("utf-8", "replace"),
            }), "application/json")
        elif url.path == "/count":
            with LOCK:
                self.reply(200, json.dumps({
                    "connections": STATE["connections"],
                    "max_concurrent": STATE["max_concurrent"],
                }), "application/json")
        else:
            self.reply(404, "no such path")

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = route


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # Clients that time out, cancel or reject our certificate hang up
        # mid-request on purpose; anything else is a fixture bug.
        if isinstance(sys.exc_info()[1], OSError):
            return
        super().handle_error(request, client_address)


def make_cert(d):
    cert, key = os.path.join(d, "cert.pem"), os.path.join(d, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec",
                    "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                    "-subj", "/CN=driftd test", "-days", "2",
                    "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
                    "-keyout", key, "-out", cert],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return cert, key


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tls", metavar="DIR")
    args = ap.parse_args()
    server = Server(("127.0.0.1", 0), Handler)
    if args.tls:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(*make_cert(args.tls))
        server.socket = ctx.wrap_socket(server.socket, server_side=True)
    sys.stdout.write("%d\n" % server.server_address[1])
    sys.stdout.flush()
    server.serve_forever()


if __name__ == "__main__":
    main()
