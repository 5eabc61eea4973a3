#!/usr/bin/env python3
"""What one sample costs at scale, through a real libvirtd.

Starts DOMAINS two-vCPU guests in libvirtd's test driver (test+unix:///default:
one driver instance shared by every connection while one stays open, so a
virsh kept running here holds them), runs BINARY (a libvirt_exporter) against
it for SECONDS with --interval=INTERVAL, and counts from libvirt's own debug
log the remote calls (RPCs) it made and the public API calls behind them.
Samples are counted by virNodeGetCPUMap, which every version of the shell
calls once per sample. Prints one JSON object: samples, RPCs per sample,
API calls per sample by name, and the median and max of the exporter's own
vmbalance_sample_duration_seconds over the run; then the same RPC counts
after warm-up (from the sample a third of the way into the run on: per
instance first-read costs, such as handles looked up once, left out; the
domain configs' 60 s re-read still falls in a run that long), by remote
procedure (the proc= number of libvirt's RPC_CLIENT_MSG_TX_QUEUE log line,
named from libvirt 9.0's src/remote/remote_protocol.x).

  sample_cost.py BINARY DOMAINS [SECONDS] [INTERVAL]

Needs a running libvirtd (tools/libvirt_up.sh). The test driver answers at
once, so the figures are the shell's own cost: round trips and CPU, not
QEMU's answer times.
"""
import collections
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

URI = "test+unix:///default"
DOMAIN_XML = """<domain type='test'><name>{name}</name><uuid>{uuid}</uuid>
<memory>1048576</memory><currentMemory>524288</currentMemory><vcpu>2</vcpu>
<os><type arch='x86_64'>hvm</type></os>
<devices><memballoon model='virtio'/></devices></domain>"""


def hold_domains(count, workdir):
  """A virsh session that creates `count` guests and keeps them alive."""
  commands = []
  for i in range(count):
    path = os.path.join(workdir, f"d{i}.xml")
    with open(path, "w") as f:
      f.write(DOMAIN_XML.format(name=f"bench{i:05d}",
                                uuid=f"{i:08x}-0000-4000-8000-00000000be0c"))
    commands.append(f"create {path}\n")
  virsh = subprocess.Popen(["virsh", "-q", "-c", URI], stdin=subprocess.PIPE,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                           text=True)
  virsh.stdin.write("".join(commands))
  virsh.stdin.flush()
  deadline = time.time() + 120
  while time.time() < deadline:
    listed = subprocess.run(["virsh", "-q", "-c", URI, "list", "--name"],
                            capture_output=True, text=True)
    if sum(1 for n in listed.stdout.split() if n.startswith("bench")) >= count:
      return virsh
    time.sleep(0.5)
  virsh.kill()
  raise SystemExit(f"could not start {count} test-driver guests")


def free_port():
  with socket.socket() as s:
    s.bind(("127.0.0.1", 0))
    return s.getsockname()[1]


def sample_duration(port):
  try:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics",
                                timeout=5) as r:
      text = r.read().decode()
  except OSError:
    return None
  m = re.search(r"^vmbalance_sample_duration_seconds (\S+)$", text, re.M)
  return float(m.group(1)) if m else None


def run_exporter(binary, seconds, interval, log_path):
  port = free_port()
  env = dict(os.environ, LIBVIRT_LOG_FILTERS="1:rpc.netclient 1:libvirt 4:*",
             LIBVIRT_LOG_OUTPUTS=f"1:file:{log_path}")
  process = subprocess.Popen(
      [binary, f"--connect={URI}", f"--interval={interval}",
       f"--listen=127.0.0.1:{port}"], env=env, stdout=subprocess.DEVNULL,
      stderr=subprocess.DEVNULL)
  durations, last = [], None
  end = time.time() + seconds
  while time.time() < end and process.poll() is None:
    value = sample_duration(port)
    if value is not None and value > 0 and value != last:
      durations.append(value)
      last = value
    time.sleep(0.2)
  process.terminate()
  process.wait(timeout=30)
  return durations


# Remote procedures a shell calls (numbers from remote_protocol.x, 9.0).
PROCEDURES = {
    1: "CONNECT_OPEN", 2: "CONNECT_CLOSE", 6: "NODE_GET_INFO",
    7: "CONNECT_GET_CAPABILITIES", 14: "DOMAIN_GET_XML_DESC",
    16: "DOMAIN_GET_INFO", 20: "DOMAIN_GET_VCPUS",
    24: "DOMAIN_LOOKUP_BY_UUID", 26: "DOMAIN_PIN_VCPU",
    60: "CONNECT_SUPPORTS_FEATURE", 66: "AUTH_LIST",
    102: "NODE_GET_FREE_MEMORY", 110: "CONNECT_GET_URI",
    150: "DOMAIN_IS_ACTIVE", 151: "DOMAIN_IS_PERSISTENT",
    204: "DOMAIN_SET_MEMORY_FLAGS", 227: "NODE_GET_CPU_STATS",
    228: "NODE_GET_MEMORY_STATS", 293: "NODE_GET_CPU_MAP",
    308: "DOMAIN_SET_MEMORY_STATS_PERIOD",
    344: "CONNECT_GET_ALL_DOMAIN_STATS",
}


def steady_calls(log_path):
  """RPCs by procedure from the sample a third of the way in, and samples."""
  stamp = re.compile(r"^(\S+ \S+): ")
  proc = re.compile(r"RPC_CLIENT_MSG_TX_QUEUE: .* proc=(\d+) ")
  sample_times = []
  with open(log_path, errors="replace") as f:
    for line in f:
      if " : virNodeGetCPUMap:" in line:
        sample_times.append(stamp.match(line).group(1))
  if len(sample_times) < 3:
    return 0, collections.Counter()
  start = sample_times[len(sample_times) // 3]
  samples = sum(1 for t in sample_times if t >= start)
  by_proc = collections.Counter()
  with open(log_path, errors="replace") as f:
    for line in f:
      m = proc.search(line)
      if m and stamp.match(line).group(1) >= start:
        by_proc[PROCEDURES.get(int(m.group(1)), m.group(1))] += 1
  return samples, by_proc


def count_calls(log_path):
  api = collections.Counter()
  rpcs = 0
  pattern = re.compile(r" : (vir[A-Za-z]+):\d+ : ")
  with open(log_path, errors="replace") as f:
    for line in f:
      m = pattern.search(line)
      if not m:
        continue
      name = m.group(1)
      if name == "virNetClientCallNew":
        rpcs += 1
      elif not name.startswith("virNet"):
        api[name] += 1
  return rpcs, api


def main():
  if len(sys.argv) < 3:
    raise SystemExit(__doc__)
  binary, count = sys.argv[1], int(sys.argv[2])
  seconds = float(sys.argv[3]) if len(sys.argv) > 3 else 30
  interval = sys.argv[4] if len(sys.argv) > 4 else "2"
  with tempfile.TemporaryDirectory() as workdir:
    virsh = hold_domains(count, workdir)
    try:
      log_path = os.path.join(workdir, "libvirt.log")
      durations = run_exporter(binary, seconds, interval, log_path)
      rpcs, api = count_calls(log_path)
      steady_samples, by_proc = steady_calls(log_path)
    finally:
      virsh.stdin.close()
      virsh.wait(timeout=60)
  samples = api.get("virNodeGetCPUMap", 0)
  if samples == 0 or not durations:
    raise SystemExit("no sample was taken")
  # Calls that only touch local handles (no round trip) are left out.
  local = {"virDomainFree", "virDomainRef", "virDomainGetName",
           "virDomainGetID", "virDomainGetUUIDString", "virDomainGetUUID",
           "virConnectIsAlive", "virConnectRef", "virGetLastError",
           "virResetLastError", "virTypedParamsFree", "virDomainStatsRecordListFree"}
  per_sample = {name: round(n / samples, 1) for name, n in api.most_common()
                if name not in local and n / samples >= 0.5}
  print(json.dumps({
      "domains": count,
      "samples": samples,
      "rpcs_per_sample": round(rpcs / samples, 1),
      "rpcs_per_domain": round(rpcs / samples / count, 2),
      "sample_seconds_median": round(statistics.median(durations), 3),
      "sample_seconds_max": round(max(durations), 3),
      "api_calls_per_sample": per_sample,
      "steady_samples": steady_samples,
      "steady_rpcs_per_sample": round(sum(by_proc.values()) /
                                      max(steady_samples, 1), 1),
      "steady_rpcs_per_sample_by_procedure": {
          name: round(n / max(steady_samples, 1), 1)
          for name, n in by_proc.most_common()},
  }))


if __name__ == "__main__":
  main()
