#!/usr/bin/env python3
"""Plots Prometheus range queries to a PNG with gnuplot (Debian's
gnuplot-nox), e.g. the std-dev of pCPU load falling after the scheduler
starts, for the README.

  plot_range.py --url URL --since 300 --out stddev.png \
      --query 'instance:vmbalance_pcpu_load_ratio:stddev' \
      [--query '...'] [--legend NAME ...] [--title T] [--ylabel Y]
      [--hline 0.05] [--start UNIX --end UNIX] [--mark UNIX=label ...]

Each series is drawn against seconds since the start of the range; --mark
draws a labelled vertical line at a moment (e.g. when the scheduler starts
acting).
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


def main(argv=None):
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
  parser.add_argument("--legend", action="append", default=[],
                      help="legend of the n-th --query (default: the query)")
  parser.add_argument("--start", type=float, help="Unix time (else --since)")
  parser.add_argument("--end", type=float, help="Unix time (else now)")
  parser.add_argument("--mark", action="append", default=[],
                      help="UNIX_TIME=label: a vertical line")
  args = parser.parse_args(argv)
  end = args.end or time.time()
  start = args.start or end - args.since
  with tempfile.TemporaryDirectory() as tmp:
    plots = []
    for n, expr in enumerate(args.query):
      for i, series in enumerate(query_range(args.url, expr, start, end,
                                             args.step)):
        path = os.path.join(tmp, "%d.dat" % len(plots))
        with open(path, "w") as f:
          for t, v in series["values"]:
            f.write("%.3f %s\n" % (float(t) - start, v))
        labels = ",".join("%s=%s" % kv for kv in sorted(series["metric"].items())
                          if kv[0] != "__name__")
        if n < len(args.legend):
          title = args.legend[n]
        else:
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
        "set terminal pngcairo size 900,500 noenhanced" if has_cairo()
        else "set terminal png size 900,500 noenhanced",
        "set output '%s'" % args.out,
        "set title '%s'" % args.title.replace("'", ""),
        "set xlabel 'seconds'",
        "set ylabel '%s'" % args.ylabel.replace("'", ""),
        "set key outside below", "set grid", "set yrange [0:*]",
        "set xrange [0:%g]" % (end - start)] + marks(args.mark, start) + [
        "plot " + ", ".join(plots), ""])
    subprocess.run(["gnuplot"], input=script, text=True, check=True)
  print("wrote %s (%d series)" % (args.out, len(plots)))
  return 0


def marks(specs, start):
  """gnuplot commands for each UNIX_TIME=label: a vertical line, labelled."""
  out = []
  for spec in specs:
    when, _, label = spec.partition("=")
    x = float(when) - start
    out.append("set arrow from %g, graph 0 to %g, graph 1 nohead dt 3 lw 2 "
               "lc rgb 'dark-green'" % (x, x))
    out.append("set label '%s' at %g, graph 0.7 offset 0.5,0 textcolor "
               "rgb 'dark-green'" % (label.replace("'", ""), x))
  return out


def has_cairo():
  out = subprocess.run(["gnuplot", "-e", "set terminal"], capture_output=True,
                       text=True)
  return "pngcairo" in (out.stdout + out.stderr)


if __name__ == "__main__":
  sys.exit(main())
