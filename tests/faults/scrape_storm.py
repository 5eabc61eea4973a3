#!/usr/bin/env python3
"""A scrape storm: TOTAL scrapes of a /metrics URL, CONCURRENCY at a time,
each bounded by --timeout and the whole storm by --deadline_s. Every answer
must be HTTP 200 with a complete exposition: every metric family of a
reference scrape taken first (its "# TYPE" line) and a final newline.
Prints latency figures; exits 1 with the first few failures otherwise."""
import argparse
import concurrent.futures
import re
import sys
import time
import urllib.request


def families(body):
    return set(re.findall(r"^# TYPE (\S+) ", body, re.M))


def scrape(url, timeout):
    start = time.monotonic()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, r.read().decode(), time.monotonic() - start, ""
    except Exception as e:  # every failure is counted and shown
        return None, "", time.monotonic() - start, str(e)


def judge(status, body, error, expected):
    """'' when the answer is a complete exposition, else why not."""
    if status != 200:
        return f"status {status} ({error})"
    if not body.endswith("\n"):
        return "body does not end with a newline (cut short?)"
    missing = expected - families(body)
    if missing:
        return f"{len(missing)} famil(ies) missing, e.g. {sorted(missing)[0]}"
    return ""


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("url")
    p.add_argument("--total", type=int, default=1000)
    p.add_argument("--concurrency", type=int, default=50)
    p.add_argument("--timeout", type=float, default=10)
    p.add_argument("--deadline_s", type=float, default=120)
    a = p.parse_args()
    status, body, _, error = scrape(a.url, a.timeout)
    if status != 200:
        print(f"FAIL reference scrape: status {status} ({error})")
        return 1
    # Families every exposition must carry (the per-guest ones may come and
    # go with the guests; the storm's guests stay up).
    expected = families(body)
    start = time.monotonic()
    failures, latencies = [], []
    with concurrent.futures.ThreadPoolExecutor(a.concurrency) as pool:
        futures = [pool.submit(scrape, a.url, a.timeout)
                   for _ in range(a.total)]
        done, not_done = concurrent.futures.wait(futures,
                                                 timeout=a.deadline_s)
        for f in not_done:
            f.cancel()
        for f in done:
            status, body, secs, error = f.result()
            latencies.append(secs)
            why = judge(status, body, error, expected)
            if why:
                failures.append(why)
    wall = time.monotonic() - start
    latencies.sort()
    ok = a.total - len(failures) - len(not_done)
    p50 = latencies[len(latencies) // 2] if latencies else 0
    print(f"storm: {ok}/{a.total} complete 200s, {len(expected)} families "
          f"each, {a.concurrency} at a time, {wall:.1f} s wall, latency p50 "
          f"{p50 * 1000:.0f} ms max {latencies[-1] * 1000 if latencies else 0:.0f} ms")
    if not_done:
        print(f"FAIL {len(not_done)} scrape(s) unfinished after "
              f"{a.deadline_s:g} s")
    for why in failures[:5]:
        print("FAIL " + why)
    return 0 if ok == a.total else 1


if __name__ == "__main__":
    sys.exit(main())
