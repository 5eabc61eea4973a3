"""Starts and stops one vmbalance binary (or anything taking
--listen=HOST:PORT and serving /metrics) on loopback for a live test, and
scrapes it. Every wait is bounded."""

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request


def free_port():
  with socket.socket() as s:
    s.bind(("127.0.0.1", 0))
    return s.getsockname()[1]


class BinaryProcess:
  """One running binary; its output goes to a log file printed on failure."""

  def __init__(self, argv, port, name="binary"):
    self.argv = list(argv) + ["--listen=127.0.0.1:%d" % port]
    self.port = port
    log_dir = os.environ.get("TEST_TMPDIR") or tempfile.gettempdir()
    self.log_path = os.path.join(log_dir, "%s.%d.log" % (name, os.getpid()))
    self.proc = None

  def start(self):
    print("+ " + " ".join(self.argv), flush=True)
    with open(self.log_path, "w") as log:
      self.proc = subprocess.Popen(self.argv, stdout=log,
                                   stderr=subprocess.STDOUT)
    return self

  def scrape(self):
    """The exposition text, or None when nothing answers."""
    url = "http://127.0.0.1:%d/metrics" % self.port
    try:
      with urllib.request.urlopen(url, timeout=5) as r:
        return r.read().decode()
    except OSError:
      return None

  def wait_for_metrics(self, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
      text = self.scrape()
      if text:
        return text
      if self.proc.poll() is not None:
        break
      time.sleep(0.1)
    self.print_log("%s serves no /metrics on :%d" % (self.argv[0], self.port))
    return None

  def print_log(self, why, lines=30):
    print("FAIL: %s; its log (%s):" % (why, self.log_path), file=sys.stderr)
    try:
      with open(self.log_path) as f:
        sys.stderr.writelines(f.readlines()[-lines:])
    except OSError:
      pass

  def stop(self, timeout=10):
    """SIGTERM, then SIGKILL after `timeout` s; returns the exit code."""
    if self.proc is None or self.proc.poll() is not None:
      return None if self.proc is None else self.proc.returncode
    self.proc.terminate()
    try:
      return self.proc.wait(timeout)
    except subprocess.TimeoutExpired:
      self.proc.kill()
      return self.proc.wait()

  def __enter__(self):
    return self.start()

  def __exit__(self, *exc):
    self.stop()
