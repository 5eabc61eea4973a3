#!/usr/bin/env python3
"""Plots Prometheus range queries to a PNG with gnuplot (Debian's
gnuplot-nox), e.g. the std-dev of pCPU load falling after the scheduler
starts, for the README.

  plot_range.py --url URL --since 300 --out stddev.png \
      --query 'instance:vmbalance_pcpu_load_ratio:stddev' \
      [--query '...'] [--title T] [--ylabel Y] [--hline 0.05]

Each series is drawn against seconds since the start of the range.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request


def query_range(url, expr, start, end, step):
  params = urllib.parse.urlencode(
      {"query": expr, "start": start, "end": end, "step": step})
  with urllib.request.urlopen("%s/api/v1/query_range?%s" % (url, params),
                              timeout=30) as r:
    body = json.load(r)
  if body.get("status") != "success":
    raise SystemExit("query %r failed: %s" % (expr, body.get("error")))
  return body["data"]["result"]


def main():
  parser = argparse.ArgumentParser()
  parser.add_argument("--url", default=os.environ.get("PROMETHEUS_URL"))
  parser.add_argument("--query", action="append", required=True)
  parser.add_argument("--since", type=float, default=300,
                      help="seconds back from now")
  parser.add_argument("--step", type=float, default=1)
  parser.add_argument("--out", required=True)
  parser.add_argument("--title", default="")
  parser.add_argument("--ylabel", default="")
  parser.add_argument("--hline", type=float, help="a dashed reference line")
  args = parser.parse_args()
  end = time.time()
  start = end - args.since
  with tempfile.TemporaryDirectory() as tmp:
    plots = []
    for expr in args.query:
      for i, series in enumerate(query_range(args.url, expr, start, end,
                                             args.step)):
        path = os.path.join(tmp, "%d.dat" % len(plots))
        with open(path, "w") as f:
          for t, v in series["values"]:
            f.write("%.3f %s\n" % (float(t) - start, v))
        labels = ",".join("%s=%s" % kv for kv in sorted(series["metric"].items())
                          if kv[0] != "__name__")
        title = expr if not labels else "%s {%s}" % (expr, labels)
        plots.append("'%s' using 1:2 with lines lw 2 title '%s'"
                     % (path, title.replace("'", "")))
    if not plots:
      print("no data for %s" % args.query, file=sys.stderr)
      return 1
    if args.hline is not None:
      plots.append("%g with lines dt 2 lc rgb 'red' title 'bound %g'"
                   % (args.hline, args.hline))
    script = "\n".join([
        "set terminal pngcairo size 900,420 noenhanced" if has_cairo()
        else "set terminal png size 900,420 noenhanced",
        "set output '%s'" % args.out,
        "set title '%s'" % args.title.replace("'", ""),
        "set xlabel 'seconds'",
        "set ylabel '%s'" % args.ylabel.replace("'", ""),
        "set key top right", "set grid", "set yrange [0:*]",
        "plot " + ", ".join(plots), ""])
    subprocess.run(["gnuplot"], input=script, text=True, check=True)
  print("wrote %s (%d series)" % (args.out, len(plots)))
  return 0


def has_cairo():
  out = subprocess.run(["gnuplot", "-e", "set terminal"], capture_output=True,
                       text=True)
  return "pngcairo" in (out.stdout + out.stderr)


if __name__ == "__main__":
  sys.exit(main())
