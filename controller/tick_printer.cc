#include "controller/tick_printer.h"

#include <cstdarg>
#include <cstdio>
#include <map>

namespace vmbalance {
namespace {

std::string Format(const char* format, ...)
    __attribute__((format(printf, 1, 2)));

std::string Format(const char* format, ...) {
  char buffer[512];
  va_list args;
  va_start(args, format);
  vsnprintf(buffer, sizeof(buffer), format, args);
  va_end(args);
  return buffer;
}

std::string Mib(std::optional<uint64_t> kib) {
  if (!kib.has_value()) return "-";
  return std::to_string(*kib / 1024);
}

void AppendCpu(const TickReport& report, const ControllerOptions& options,
               std::string* out) {
  if (!report.vcpu.has_value()) {
    *out += "  cpu: waiting for a second sample\n";
    return;
  }
  const VcpuDecision& decision = *report.vcpu;
  *out += "  pCPU demand:";
  for (int pcpu : report.usage->online_pcpus.ToVector()) {
    if (pcpu < static_cast<int>(decision.pcpu_demand.size())) {
      *out += Format(" %d:%.2f", pcpu, decision.pcpu_demand[pcpu]);
    }
  }
  *out += Format("  mean %.3f  sd %.3f  balanced %s", decision.mean,
                 decision.stddev,
                 decision.skipped    ? "?"
                 : decision.balanced ? "yes"
                                     : "no");
  if (decision.balanced && decision.stddev > decision.target_stddev) {
    *out += " (best reachable)";
  }
  *out += Format("  pins %zu%s\n", decision.pins.size(),
                 options.dry_run ? " (dry run)" : "");
  if (decision.skipped) *out += "    " + decision.reason + "\n";
  for (const PinChange& pin : decision.pins) {
    *out += Format("    pin %s vcpu %d: %s -> %d\n", pin.domain.c_str(),
                   pin.vcpu, pin.from.ToString().c_str(), pin.to_pcpu);
  }
  for (const std::string& failure : report.pins.failures) {
    *out += "    FAILED " + failure + "\n";
  }
}

void AppendMemory(const TickReport& report, const ControllerOptions& options,
                  std::string* out) {
  const Sample& sample = *report.sample;
  const MemoryDecision& decision = *report.memory;
  std::map<DomainKey, const GuestMemoryStatus*> by_uuid;
  for (const GuestMemoryStatus& guest : decision.guests) {
    by_uuid[guest.uuid] = &guest;
  }
  *out += Format("  %-20s %8s %8s %8s %8s  (MiB)\n", "domain", "actual",
                 "unused", "avail", "target");
  for (const DomainSample& domain : sample.domains) {
    auto it = by_uuid.find(domain.uuid);
    std::string target = "-";
    if (domain.read != DomainRead::kComplete) {
      target = "unread";  // left alone; its grant still counts
    } else if (it != by_uuid.end()) {
      target = it->second->stale ? "stale" : Mib(it->second->target_kib);
    }
    *out += Format("  %-20.20s %8s %8s %8s %8s\n", domain.name.c_str(),
                   Mib(domain.balloon.actual_kib).c_str(),
                   Mib(domain.balloon.unused_kib).c_str(),
                   Mib(domain.balloon.available_kib).c_str(), target.c_str());
  }
  // The policy judges by MemAvailable where the host gives it (else free)
  // less what guests were granted but have not touched yet.
  const std::string available =
      sample.host.memory_available_kib
          ? "  available " + Mib(sample.host.memory_available_kib) + " MiB"
          : "";
  *out += Format(
      "  host total %llu MiB  free %llu MiB  reserve %llu MiB%s  untouched "
      "grants %llu MiB%s\n",
      static_cast<unsigned long long>(sample.host.memory_total_kib / 1024),
      static_cast<unsigned long long>(sample.host.memory_free_kib / 1024),
      static_cast<unsigned long long>(decision.host_reserve_kib / 1024),
      available.c_str(),
      static_cast<unsigned long long>(decision.unbacked_kib / 1024),
      decision.host_short ? "  HOST SHORT" : "");
  for (const BalloonChange& change : decision.changes) {
    *out += Format("    setmem %s: %llu -> %llu MiB%s\n", change.domain.c_str(),
                   static_cast<unsigned long long>(change.from_kib / 1024),
                   static_cast<unsigned long long>(change.to_kib / 1024),
                   options.dry_run ? " (dry run)" : "");
  }
  for (const std::string& failure : report.balloons.failures) {
    *out += "    FAILED " + failure + "\n";
  }
}

// The domains not read in time this tick, which no policy touches.
std::string Unreadable(const Sample& sample) {
  std::string names;
  for (const DomainSample& domain : sample.domains) {
    if (domain.read == DomainRead::kComplete) continue;
    names += (names.empty() ? "" : ", ") + domain.name;
  }
  return names.empty() ? "" : "; not read in time, left alone: " + names;
}

}  // namespace

std::string FormatTick(int64_t tick, const TickReport& report,
                       const ControllerOptions& options) {
  std::string out = Format("[tick %lld]", static_cast<long long>(tick));
  if (!report.sampled) {
    out += " no sample: " + report.sample_error + " (nothing decided)\n";
    return out;
  }
  out += Format(" %zu domains", report.sample->domains.size());
  if (report.usage.has_value()) {
    out += Format(", %.2f s since the last sample, counters read in %.0f ms",
                  report.usage->interval_s,
                  report.sample->vcpu_read_span_ns / 1e6);
  }
  if (report.sample->errors > 0) {
    out += Format(", %d read errors", report.sample->errors);
  }
  out += Unreadable(*report.sample);
  out += "\n";
  if (options.cpu) AppendCpu(report, options, &out);
  if (options.memory && report.memory.has_value()) {
    AppendMemory(report, options, &out);
  }
  return out;
}

}  // namespace vmbalance
