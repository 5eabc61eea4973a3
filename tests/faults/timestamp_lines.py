#!/usr/bin/env python3
"""Copies stdin to stdout, each line prefixed with the unix time it was read
("1764321234.567 line"), so a controller's per-interval report can be lined
up with the faults the suite injected."""
import sys
import time

for line in sys.stdin:
    sys.stdout.write(f"{time.time():.3f} {line}")
    sys.stdout.flush()
