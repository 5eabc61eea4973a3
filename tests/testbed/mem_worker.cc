// mem_worker: the guest memory load of the course's scenarios. It touches one
// more 4 KiB page every --page_us microseconds (default 100, i.e. up to
// 40 MiB/s) and, when the guest runs low (MemAvailable below --low_mib; the
// course's "allocation failed"), frees everything and starts again.
// MemAvailable, not MemFree: in a guest ballooned down from a larger max
// (512 of 2048 MiB) the kernel keeps ~70 MiB of MemFree in reserve, and
// growing until MemFree hits 24 MiB got the worker OOM-killed at ~45 MiB.
// So such a guest is at its limit while the balloon still reports ~90 MiB
// "unused". --low_free_mib adds a MemFree trigger for other experiments.
//
//   mem_worker                       grow, free all when low, repeat
//   mem_worker --stop_mib=512        grow to 512 MiB and hold it
//   mem_worker --stop_mib=300 --hold_s=20 --rest_s=30
//                                    grow to 300 MiB, hold 20 s, free, rest
//                                    30 s, repeat (shows reclaim)
//
// Pages come from one big MAP_NORESERVE mapping and are given back with
// MADV_DONTNEED, so growth costs one page fault per page and nothing else.
// Prints "VMB_READY mem_worker ..." when it starts and a status line every
// second (held, MemAvailable, MemTotal).
#include <sys/mman.h>
#include <time.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

constexpr size_t kPageBytes = 4096;
constexpr int64_t kMiB = 1024 * 1024;
// Pages touched between MemAvailable checks (256 KiB).
constexpr size_t kCheckEveryPages = 64;
// After a stall (the vCPU was descheduled), catch up at most this many pages
// per step, so growth stays smooth.
constexpr size_t kMaxCatchUpPages = 64;

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

struct MemInfo {
  int64_t total_kib = -1;
  int64_t free_kib = -1;  // what the balloon reports as "unused"
  int64_t available_kib = -1;
};

MemInfo ReadMemInfo() {
  MemInfo info;
  FILE* f = std::fopen("/proc/meminfo", "r");
  if (f == nullptr) return info;
  char line[128];
  while (std::fgets(line, sizeof line, f) != nullptr) {
    long long kib;
    if (std::sscanf(line, "MemTotal: %lld kB", &kib) == 1) {
      info.total_kib = kib;
    } else if (std::sscanf(line, "MemFree: %lld kB", &kib) == 1) {
      info.free_kib = kib;
    } else if (std::sscanf(line, "MemAvailable: %lld kB", &kib) == 1) {
      info.available_kib = kib;
      break;  // MemAvailable follows MemTotal and MemFree
    }
  }
  std::fclose(f);
  return info;
}

struct Options {
  int64_t page_us = 100;
  int64_t low_mib = 24;      // MemAvailable
  int64_t low_free_mib = 0;  // MemFree; 0: not checked
  int64_t stop_mib = 0;      // 0: grow until low
  double hold_s = -1;        // < 0: hold forever once stop_mib is reached
  double rest_s = 0;
};

bool ParseFlag(const char* arg, const char* name, std::string* value) {
  const size_t len = std::strlen(name);
  if (std::strncmp(arg, name, len) != 0 || arg[len] != '=') return false;
  *value = arg + len + 1;
  return true;
}

bool ParseOptions(int argc, char** argv, Options* o) {
  for (int i = 1; i < argc; ++i) {
    std::string v;
    if (ParseFlag(argv[i], "--page_us", &v)) {
      o->page_us = std::strtoll(v.c_str(), nullptr, 10);
    } else if (ParseFlag(argv[i], "--low_mib", &v)) {
      o->low_mib = std::strtoll(v.c_str(), nullptr, 10);
    } else if (ParseFlag(argv[i], "--low_free_mib", &v)) {
      o->low_free_mib = std::strtoll(v.c_str(), nullptr, 10);
    } else if (ParseFlag(argv[i], "--stop_mib", &v)) {
      o->stop_mib = std::strtoll(v.c_str(), nullptr, 10);
    } else if (ParseFlag(argv[i], "--hold_s", &v)) {
      o->hold_s = std::strtod(v.c_str(), nullptr);
    } else if (ParseFlag(argv[i], "--rest_s", &v)) {
      o->rest_s = std::strtod(v.c_str(), nullptr);
    } else {
      return false;
    }
  }
  return o->page_us > 0 && o->low_mib >= 0 && o->low_free_mib >= 0 &&
         o->stop_mib >= 0;
}

// The pages this worker holds: a prefix of one reserved mapping.
class PagePool {
 public:
  bool Reserve() {
    for (size_t bytes = size_t{64} << 30; bytes >= (size_t{256} << 20);
         bytes /= 2) {
      void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
      if (p != MAP_FAILED) {
        base_ = static_cast<unsigned char*>(p);
        capacity_pages_ = bytes / kPageBytes;
        return true;
      }
    }
    return false;
  }
  bool Full() const { return held_pages_ == capacity_pages_; }
  void TouchNext() {
    base_[held_pages_ * kPageBytes] =
        static_cast<unsigned char>(held_pages_ | 1);
    ++held_pages_;
  }
  void FreeAll() {
    madvise(base_, held_pages_ * kPageBytes, MADV_DONTNEED);
    held_pages_ = 0;
  }
  int64_t HeldMiB() const {
    return static_cast<int64_t>(held_pages_ * kPageBytes / kMiB);
  }
  size_t held_pages() const { return held_pages_; }

 private:
  unsigned char* base_ = nullptr;
  size_t capacity_pages_ = 0;
  size_t held_pages_ = 0;
};

class Reporter {
 public:
  void MaybeReport(const PagePool& pool, const char* phase) {
    const int64_t now = NowNs();
    if (now - last_ns_ < 1'000'000'000) return;
    last_ns_ = now;
    const MemInfo m = ReadMemInfo();
    std::printf(
        "mem_worker: %s held=%lld MiB free=%lld MiB avail=%lld MiB "
        "total=%lld MiB\n",
        phase, static_cast<long long>(pool.HeldMiB()),
        static_cast<long long>(m.free_kib / 1024),
        static_cast<long long>(m.available_kib / 1024),
        static_cast<long long>(m.total_kib / 1024));
    std::fflush(stdout);
  }

 private:
  int64_t last_ns_ = 0;
};

void Idle(double seconds, const PagePool& pool, Reporter* reporter,
          const char* phase) {
  const int64_t end = NowNs() + static_cast<int64_t>(seconds * 1e9);
  while (NowNs() < end) {
    reporter->MaybeReport(pool, phase);
    SleepNs(100'000'000);
  }
}

// Grows until stop_mib is held (true) or the guest runs low (false).
bool Grow(const Options& o, PagePool* pool, Reporter* reporter) {
  const size_t stop_pages =
      o.stop_mib > 0 ? static_cast<size_t>(o.stop_mib * kMiB / kPageBytes)
                     : SIZE_MAX;
  const int64_t page_ns = o.page_us * 1000;
  int64_t next_ns = NowNs();
  size_t since_check = 0;
  while (pool->held_pages() < stop_pages) {
    size_t burst = 0;
    while (NowNs() >= next_ns && burst < kMaxCatchUpPages &&
           pool->held_pages() < stop_pages) {
      if (pool->Full()) return false;
      pool->TouchNext();
      next_ns += page_ns;
      ++burst;
      if (++since_check >= kCheckEveryPages) {
        since_check = 0;
        const MemInfo m = ReadMemInfo();
        const bool low_available =
            m.available_kib >= 0 && m.available_kib < o.low_mib * 1024;
        const bool low_free =
            m.free_kib >= 0 && m.free_kib < o.low_free_mib * 1024;
        if (low_free || low_available) {
          std::printf(
              "mem_worker: low (free %lld MiB, avail %lld MiB), freeing %lld "
              "MiB\n",
              static_cast<long long>(m.free_kib / 1024),
              static_cast<long long>(m.available_kib / 1024),
              static_cast<long long>(pool->HeldMiB()));
          std::fflush(stdout);
          return false;
        }
      }
    }
    // Fell far behind (a long stall): do not try to make it all up.
    if (burst == kMaxCatchUpPages) next_ns = NowNs();
    reporter->MaybeReport(*pool, "grow");
    SleepNs(page_ns);
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (!ParseOptions(argc, argv, &o)) {
    std::fprintf(stderr,
                 "usage: mem_worker [--page_us=100] [--low_mib=24] "
                 "[--low_free_mib=0] "
                 "[--stop_mib=0] [--hold_s=-1] [--rest_s=0]\n");
    return 2;
  }
  PagePool pool;
  if (!pool.Reserve()) {
    std::fprintf(stderr, "mem_worker: cannot reserve address space\n");
    return 1;
  }
  std::printf("VMB_READY mem_worker page_us=%lld stop_mib=%lld hold_s=%.1f\n",
              static_cast<long long>(o.page_us),
              static_cast<long long>(o.stop_mib), o.hold_s);
  std::fflush(stdout);
  Reporter reporter;
  for (;;) {
    const bool reached = Grow(o, &pool, &reporter);
    if (reached) {
      std::printf("mem_worker: reached %lld MiB\n",
                  static_cast<long long>(pool.HeldMiB()));
      std::fflush(stdout);
      if (o.hold_s < 0) {
        for (;;) Idle(3600, pool, &reporter, "hold");
      }
      Idle(o.hold_s, pool, &reporter, "hold");
    }
    pool.FreeAll();
    Idle(o.rest_s, pool, &reporter, "rest");
  }
}
