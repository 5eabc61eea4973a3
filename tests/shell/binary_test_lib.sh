# Helpers for tests that run vmbalance's binaries as a user does: start them
# in the background, find the port they serve on, poll /metrics with
# deadlines (never a blind sleep), check exit codes, and stop everything
# started when the test ends. Source it from a sh_test; it sets TMP, PIDS and
# FAILURES, and installs an EXIT trap. End the test with `finish`.

TMP="${TEST_TMPDIR:-$(mktemp -d)}"
PIDS=()
FAILURES=0

cleanup_started() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null; done
}
trap cleanup_started EXIT

fail() { echo "FAIL: $*" >&2; FAILURES=$((FAILURES + 1)); }
pass() { echo "ok: $*"; }

# finish: exits 1 if anything failed, else 0, saying so.
finish() {
  if [[ $FAILURES -gt 0 ]]; then
    echo "$FAILURES check(s) failed" >&2
    exit 1
  fi
  echo "all checks passed"
  exit 0
}

# expect_exit CODE DESCRIPTION CMD...: runs CMD (bounded to 20 s) and checks
# its exit code; its output is left in $TMP/out.txt and $TMP/err.txt.
expect_exit() {
  local want="$1" what="$2"; shift 2
  timeout 20 "$@" >"$TMP/out.txt" 2>"$TMP/err.txt"
  local got=$?
  if [[ $got -eq $want ]]; then
    pass "$what (exit $got)"
  else
    fail "$what: exit $got, want $want"
    cat "$TMP/err.txt" >&2
  fi
}

# start NAME BIN ARGS...: runs BIN in the background, stdout in $TMP/NAME.out
# and the log in $TMP/NAME.log; its pid in LAST_PID.
start() {
  local name="$1" bin="$2"; shift 2
  "$bin" "$@" >"$TMP/$name.out" 2>"$TMP/$name.log" &
  PIDS+=("$!")
  LAST_PID=$!
}

# port_of NAME PID: waits (10 s) for the "serving /metrics on port N" line in
# NAME's log and prints N; fails, showing the log, if PID ends first.
port_of() {
  local name="$1" pid="$2" port
  for _ in $(seq 100); do
    port=$(sed -n 's/.*serving \/metrics on port \([0-9]*\).*/\1/p' \
      "$TMP/$name.log" | head -1)
    if [[ -n "$port" ]]; then echo "$port"; return 0; fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "$name did not start; log:" >&2
  cat "$TMP/$name.log" >&2
  return 1
}

scrape() { curl -sf --max-time 5 "http://127.0.0.1:$1/metrics"; }

# await_metric PORT EXTENDED_REGEX: polls /metrics (15 s) until a line
# matches; leaves the last scrape in $TMP/scrape.txt.
await_metric() {
  local port="$1" pattern="$2"
  for _ in $(seq 150); do
    scrape "$port" >"$TMP/scrape.txt" 2>/dev/null
    if grep -Eq "$pattern" "$TMP/scrape.txt"; then return 0; fi
    sleep 0.1
  done
  return 1
}

# await_exit PID SECONDS: waits for PID (a child of this shell) to end and
# sets CODE to its exit status, or to "timeout".
await_exit() {
  local pid="$1"
  for _ in $(seq $(($2 * 10))); do
    if ! kill -0 "$pid" 2>/dev/null; then wait "$pid"; CODE=$?; return 0; fi
    sleep 0.1
  done
  CODE=timeout
}

# await_line FILE EXTENDED_REGEX SECONDS: polls FILE until a line matches;
# returns 1 at the deadline.
await_line() {
  local file="$1" pattern="$2"
  for _ in $(seq $(($3 * 10))); do
    grep -Eq "$pattern" "$file" 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}
