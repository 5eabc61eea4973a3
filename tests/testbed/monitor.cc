// The testbed monitor, like the course's: every interval it prints each
// pCPU's load (a vCPU's time counts on the pCPU it is pinned to, else where it
// last ran), their mean and std-dev, whether that is balanced by the SPEC's
// definition, and each guest's balloon size and unused memory. With --csv it
// also writes one row per interval for plot.sh and for test assertions,
// with the guests' side of fairness: each guest's run time and wait for a
// pCPU (libvirt vcpu.N.time, vcpu.N.delay) and the host's idle time, and
// each guest's vCPU affinity (to see that an opted-out guest never moves).
// Independent of the controllers' code on purpose: it is the referee.
#include <gflags/gflags.h>
#include <time.h>

#include <csignal>
#include <cstdio>
#include <string>
#include <vector>

#include "tests/testbed/libvirt_reader.h"
#include "tests/testbed/monitor_stats.h"

DEFINE_string(connect, "qemu:///system", "libvirt URI, as virsh -c");
DEFINE_double(interval, 1.0, "seconds between readings");
DEFINE_double(duration, 0, "stop after this many seconds (0: no limit)");
DEFINE_int32(count, 0, "stop after this many intervals (0: no limit)");
DEFINE_string(prefix, "", "only domains whose name starts with this");
DEFINE_string(csv, "",
              "write one row per interval here; the guest columns are the "
              "guests seen at the first row");
DEFINE_bool(quiet, false, "no table on stdout");

namespace vmbalance::testbed {
namespace {

volatile std::sig_atomic_t g_stop = 0;
void OnSignal(int) { g_stop = 1; }

constexpr double kMiB = 1024;  // KiB per MiB

void SleepUntil(int64_t monotonic_ns) {
  timespec ts{static_cast<time_t>(monotonic_ns / 1'000'000'000),
              static_cast<long>(monotonic_ns % 1'000'000'000)};
  while (!g_stop &&
         clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr) != 0) {
  }
}

double Mib(int64_t kib) {
  return kib < 0 ? -1 : static_cast<double>(kib) / kMiB;
}

double GuestCpuPercent(const HostReading& prev, const HostReading& cur,
                       const std::string& uuid) {
  double sum = 0;
  for (const auto& [key, reading] : cur.vcpus) {
    if (key.first != uuid) continue;
    sum += VcpuPercent(prev.vcpus, key, reading,
                       cur.monotonic_ns - prev.monotonic_ns);
  }
  return sum;
}

// Summed wait of the guest's vCPUs in percent of wall time; -1 when any of
// them has no delay figure (unknown is never shown as "no wait").
double GuestWaitPercent(const HostReading& prev, const HostReading& cur,
                        const std::string& uuid) {
  double sum = 0;
  for (const auto& [key, reading] : cur.vcpus) {
    if (key.first != uuid) continue;
    const double wait = VcpuWaitPercent(prev.vcpus, key, reading,
                                        cur.monotonic_ns - prev.monotonic_ns);
    if (wait < 0) return -1;
    sum += wait;
  }
  return sum;
}

// Where the guest's vCPUs may run, vCPU by vCPU ("0/0-1"), with spaces for
// the commas of a list ("0 2"): the CSV's cells hold no commas.
std::string GuestAffinity(const HostReading& cur, const std::string& uuid) {
  std::string out;
  for (const auto& [key, reading] : cur.vcpus) {
    if (key.first != uuid) continue;
    if (!out.empty()) out += "/";
    std::string set = reading.affinity.ToString();
    for (char& c : set) {
      if (c == ',') c = ' ';
    }
    out += set;
  }
  return out;
}

// A percentage for the CSV; empty when unknown (< 0).
std::string CsvPercent(double pct) {
  if (pct < 0) return "";
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.2f", pct);
  return buf;
}

// The CSV's columns are fixed by the first row it writes.
class CsvWriter {
 public:
  bool Open(const std::string& path) {
    file_ = std::fopen(path.c_str(), "w");
    return file_ != nullptr;
  }
  ~CsvWriter() {
    if (file_ != nullptr) std::fclose(file_);
  }
  void Row(double t, const std::vector<double>& loads, const LoadSummary& s,
           int pin_changes, const HostReading& prev, const HostReading& cur) {
    if (file_ == nullptr) return;
    if (!header_written_) {
      std::fprintf(file_, "time_s");
      for (size_t i = 0; i < loads.size(); ++i) {
        std::fprintf(file_, ",pcpu%zu_pct", i);
      }
      std::fprintf(file_,
                   ",mean_pct,stddev_pct,balanced,pin_changes,host_free_mib,"
                   "host_idle_pct");
      for (const GuestMemory& g : cur.guests) {
        const char* n = g.name.c_str();
        std::fprintf(file_,
                     ",%s_cpu_pct,%s_wait_pct,%s_actual_mib,%s_unused_mib,"
                     "%s_cpus",
                     n, n, n, n, n);
        columns_.push_back(g);
      }
      std::fprintf(file_, "\n");
      header_written_ = true;
      pcpus_ = loads.size();
    }
    std::fprintf(file_, "%.3f", t);
    for (size_t i = 0; i < pcpus_; ++i) {
      std::fprintf(file_, ",%.2f", i < loads.size() ? loads[i] : 0.0);
    }
    std::fprintf(
        file_, ",%.2f,%.2f,%d,%d,%.1f,%s", s.mean, s.stddev, s.balanced ? 1 : 0,
        pin_changes, Mib(cur.host_free_kib),
        CsvPercent(CounterPercent(prev.host_idle_ns, cur.host_idle_ns,
                                  cur.monotonic_ns - prev.monotonic_ns))
            .c_str());
    for (const GuestMemory& col : columns_) {
      const GuestMemory* g = nullptr;
      for (const GuestMemory& c : cur.guests) {
        if (c.uuid == col.uuid) g = &c;
      }
      if (g == nullptr) {
        std::fprintf(file_, ",,,,,");  // gone
        continue;
      }
      std::fprintf(file_, ",%.2f,%s,%.1f,%.1f,%s",
                   GuestCpuPercent(prev, cur, g->uuid),
                   CsvPercent(GuestWaitPercent(prev, cur, g->uuid)).c_str(),
                   Mib(g->actual_kib), Mib(g->unused_kib),
                   GuestAffinity(cur, g->uuid).c_str());
    }
    std::fprintf(file_, "\n");
    std::fflush(file_);  // a killed monitor still leaves its rows
  }

 private:
  std::FILE* file_ = nullptr;
  bool header_written_ = false;
  size_t pcpus_ = 0;
  std::vector<GuestMemory> columns_;
};

void PrintTable(double t, const std::vector<double>& loads,
                const LoadSummary& s, int pin_changes, const HostReading& prev,
                const HostReading& cur) {
  std::printf("[%7.1fs] pCPU", t);
  for (size_t i = 0; i < loads.size(); ++i) {
    std::printf(" %zu:%6.1f%%", i, loads[i]);
  }
  std::printf(
      " | mean %.1f sd %.1f balanced %s | pin changes %d | host free "
      "%.0f MiB\n",
      s.mean, s.stddev, s.balanced ? "yes" : "no", pin_changes,
      Mib(cur.host_free_kib));
  for (const GuestMemory& g : cur.guests) {
    std::printf(
        "    %-12s cpu %6.1f%%  wait %6.1f%%  actual %6.0f MiB  unused %6.0f "
        "MiB\n",
        g.name.c_str(), GuestCpuPercent(prev, cur, g.uuid),
        GuestWaitPercent(prev, cur, g.uuid), Mib(g.actual_kib),
        Mib(g.unused_kib));
  }
  std::fflush(stdout);
}

int Run() {
  std::string error;
  auto reader = LibvirtReader::Connect(FLAGS_connect, &error);
  if (reader == nullptr) {
    std::fprintf(stderr, "monitor: %s\n", error.c_str());
    return 1;
  }
  CsvWriter csv;
  if (!FLAGS_csv.empty() && !csv.Open(FLAGS_csv)) {
    std::fprintf(stderr, "monitor: cannot write %s\n", FLAGS_csv.c_str());
    return 1;
  }
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);

  const auto interval_ns = static_cast<int64_t>(FLAGS_interval * 1e9);
  HostReading prev;
  if (!reader->Read(FLAGS_prefix, &prev, &error)) {
    std::fprintf(stderr, "monitor: %s\n", error.c_str());
    return 1;
  }
  const int64_t start_ns = prev.monotonic_ns;
  int64_t next_ns = start_ns;
  for (int n = 1; !g_stop; ++n) {
    next_ns += interval_ns;
    SleepUntil(next_ns);
    if (g_stop) break;
    HostReading cur;
    if (!reader->Read(FLAGS_prefix, &cur, &error)) {
      std::fprintf(stderr, "monitor: %s (retrying)\n", error.c_str());
      continue;  // a failed reading is not the end of the run
    }
    const std::vector<double> loads =
        PcpuLoadPercent(prev.vcpus, cur.vcpus,
                        cur.monotonic_ns - prev.monotonic_ns, cur.pcpu_count);
    const LoadSummary summary = Summarize(loads);
    const int pin_changes = CountAffinityChanges(prev.vcpus, cur.vcpus);
    const double t = static_cast<double>(cur.monotonic_ns - start_ns) / 1e9;
    if (!FLAGS_quiet) PrintTable(t, loads, summary, pin_changes, prev, cur);
    csv.Row(t, loads, summary, pin_changes, prev, cur);
    prev = std::move(cur);
    if (FLAGS_count > 0 && n >= FLAGS_count) break;
    if (FLAGS_duration > 0 && t >= FLAGS_duration - 1e-3) break;
  }
  return 0;
}

}  // namespace
}  // namespace vmbalance::testbed

int main(int argc, char** argv) {
  gflags::SetUsageMessage(
      "monitor [--connect=URI] [--interval=S] [--duration=S|--count=N] "
      "[--prefix=P] [--csv=PATH]");
  gflags::ParseCommandLineFlags(&argc, &argv, true);
  if (FLAGS_interval <= 0) {
    std::fprintf(stderr, "monitor: --interval must be > 0\n");
    return 2;
  }
  return vmbalance::testbed::Run();
}
