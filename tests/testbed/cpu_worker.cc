// cpu_worker: the guest CPU load of the course's scenarios. It counts to N,
// sleeps 400 us, and repeats, so N sets the duty cycle. Runs as a static
// binary in the testbed's initramfs.
//
//   cpu_worker --count=N      the course's loop, as is
//   cpu_worker --duty=F       busy for F of the time (0 < F <= 1): spins
//                             until its busy share of the current report
//                             window reaches F, then sleeps 400us (so sleep
//                             overshoot does not lower the duty); F=1 never
//                             sleeps
//
// Prints "VMB_READY cpu_worker ..." once the loop runs (the testbed waits on
// it), then a line every --report_s seconds with the achieved busy fraction.
#include <time.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

constexpr int64_t kSleepNs = 400'000;

int64_t NowNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

void SleepNs(int64_t ns) {
  timespec ts{static_cast<time_t>(ns / 1'000'000'000),
              static_cast<long>(ns % 1'000'000'000)};
  nanosleep(&ts, nullptr);
}

// The course's busy phase: a counter the compiler may not remove.
void CountTo(uint64_t n) {
  for (volatile uint64_t i = 0; i < n; i = i + 1) {
  }
}

bool ParseFlag(const char* arg, const char* name, std::string* value) {
  const size_t len = std::strlen(name);
  if (std::strncmp(arg, name, len) != 0 || arg[len] != '=') return false;
  *value = arg + len + 1;
  return true;
}

int Usage() {
  std::fprintf(stderr,
               "usage: cpu_worker (--count=N | --duty=F) [--report_s=S]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t count = 0;
  double duty = -1;
  double report_s = 5;
  for (int i = 1; i < argc; ++i) {
    std::string v;
    if (ParseFlag(argv[i], "--count", &v)) {
      count = std::strtoull(v.c_str(), nullptr, 10);
    } else if (ParseFlag(argv[i], "--duty", &v)) {
      duty = std::strtod(v.c_str(), nullptr);
    } else if (ParseFlag(argv[i], "--report_s", &v)) {
      report_s = std::strtod(v.c_str(), nullptr);
    } else {
      return Usage();
    }
  }
  if ((count == 0) == (duty < 0)) return Usage();
  if (duty >= 0 && (duty <= 0 || duty > 1)) return Usage();
  if (report_s <= 0) return Usage();

  std::printf("VMB_READY cpu_worker count=%llu duty=%.3f\n",
              static_cast<unsigned long long>(count), duty);
  std::fflush(stdout);

  const int64_t report_ns = static_cast<int64_t>(report_s * 1e9);
  int64_t window_start = NowNs();
  int64_t busy_in_window = 0;
  for (;;) {
    const int64_t t0 = NowNs();
    if (count > 0) {
      CountTo(count);
    } else {
      // Spin until busy / elapsed in this window reaches the duty (for a
      // duty of 1, until the window ends).
      int64_t now;
      do {
        CountTo(1000);
        now = NowNs();
      } while (duty >= 1 ? now - window_start < report_ns
                         : busy_in_window + (now - t0) <
                               duty * static_cast<double>(now - window_start));
    }
    busy_in_window += NowNs() - t0;
    if (duty < 1) SleepNs(kSleepNs);
    const int64_t t2 = NowNs();
    if (t2 - window_start >= report_ns) {
      std::printf("cpu_worker: busy %.2f\n",
                  static_cast<double>(busy_in_window) / (t2 - window_start));
      std::fflush(stdout);
      window_start = t2;
      busy_in_window = 0;
    }
  }
}
