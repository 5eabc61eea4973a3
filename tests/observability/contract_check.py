"""Compares a real /metrics exposition with the exported-metrics contract
(exported_metrics.txt), both ways: every contract metric of the binary's
owners is there with its type, and nothing else is exported."""

import re

import observability_files as obs

# The owners each binary's exposition holds (see exported_metrics.txt).
BINARY_OWNERS = {
    "libvirt_exporter": ("exporter",),
    "vcpu_scheduler": ("exporter", "controller", "vcpu"),
    "memory_coordinator": ("exporter", "controller", "memory"),
    "vmbalanced": ("exporter", "controller", "vcpu", "memory"),
}


def exported_types(text):
  """{name: type} from the # TYPE lines; counters named as queried (_total)."""
  types = {}
  for m in re.finditer(r"^# TYPE (\S+) (\S+)$", text, flags=re.M):
    name, mtype = m.group(1), m.group(2)
    if mtype == "counter" and not name.endswith("_total"):
      name += "_total"
    types[name] = mtype
  return types


def compare(text, owners, contract=None, may_lack=()):
  """Returns the problems, as messages (empty when the exposition fits).
  `may_lack`: contract metrics the host behind the binary has no data for
  (a binary leaves out empty families), e.g. the libvirt test driver's."""
  contract = contract if contract is not None else obs.read_contract()
  want = {m.name: m.type for m in contract.values() if m.owner in owners}
  got = exported_types(text)
  problems = []
  for name in sorted(set(want) - set(got) - set(may_lack)):
    problems.append("contract metric not exported: " + name)
  for name in sorted(set(got) - set(want)):
    problems.append("exported but not in the contract (owners %s): %s"
                    % (",".join(owners), name))
  for name in sorted(set(want) & set(got)):
    if want[name] != got[name]:
      problems.append("%s is a %s, the contract says %s"
                      % (name, got[name], want[name]))
  return problems
