#!/usr/bin/env python3
"""Serves a fixed exposition (e.g. testdata/vmbalanced.prom) at /metrics on
loopback, standing in for a vmbalance binary until the real ones run in this
test. The word NOW in the file becomes the current Unix time on each scrape.

  fake_exporter.py FIXTURE --port-file FILE    # binds a free port, writes it
  fake_exporter.py FIXTURE --listen=127.0.0.1:PORT   # the binaries' flag
"""

import argparse
import http.server
import os
import time


def main():
  parser = argparse.ArgumentParser()
  parser.add_argument("fixture")
  parser.add_argument("--listen", default="127.0.0.1:0",
                      help="HOST:PORT, as the vmbalance binaries take it")
  parser.add_argument("--port-file",
                      help="where to write the port once listening")
  args = parser.parse_args()
  with open(args.fixture) as f:
    template = f.read()

  class Handler(http.server.BaseHTTPRequestHandler):

    def do_GET(self):  # noqa: N802 (http.server's name)
      if self.path.split("?")[0] != "/metrics":
        self.send_error(404)
        return
      body = template.replace(" NOW\n", " %.3f\n" % time.time()).encode()
      self.send_response(200)
      self.send_header("Content-Type", "text/plain; version=0.0.4")
      self.send_header("Content-Length", str(len(body)))
      self.end_headers()
      self.wfile.write(body)

    def log_message(self, *unused):
      pass

  host, _, port = args.listen.rpartition(":")
  server = http.server.HTTPServer((host or "127.0.0.1", int(port)), Handler)
  if args.port_file:
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
      f.write(str(server.server_address[1]))
    os.rename(tmp, args.port_file)  # readers never see a partial port
  server.serve_forever()


if __name__ == "__main__":
  main()
