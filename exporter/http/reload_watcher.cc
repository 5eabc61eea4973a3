#include "exporter/http/reload_watcher.h"

#include <poll.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>

namespace vmbalance {

void BlockReloadSignal() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

ReloadWatcher::ReloadWatcher(std::function<std::vector<std::string>()> files,
                             std::function<void(const std::string&)> reload,
                             std::chrono::milliseconds poll)
    : files_(std::move(files)), reload_(std::move(reload)), poll_(poll) {
  stop_fd_ = eventfd(0, EFD_CLOEXEC);
  sigset_t blocked;
  pthread_sigmask(SIG_BLOCK, nullptr, &blocked);
  if (sigismember(&blocked, SIGHUP) == 1) {
    sigset_t hup;
    sigemptyset(&hup);
    sigaddset(&hup, SIGHUP);
    signal_fd_ = signalfd(-1, &hup, SFD_CLOEXEC | SFD_NONBLOCK);
  }
  thread_ = std::thread([this] { Run(); });
}

ReloadWatcher::~ReloadWatcher() {
  const uint64_t one = 1;
  if (write(stop_fd_, &one, sizeof(one)) < 0) {
    // Cannot happen for an eventfd below its maximum; the join would hang.
  }
  thread_.join();
  close(stop_fd_);
  if (signal_fd_ >= 0) close(signal_fd_);
}

ReloadWatcher::Stamp ReloadWatcher::StampOf(const std::string& path) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) return Stamp(false, 0, 0, 0);
  return Stamp(true,
               static_cast<long long>(st.st_mtim.tv_sec) * 1000000000LL +
                   st.st_mtim.tv_nsec,
               static_cast<long long>(st.st_size),
               static_cast<unsigned long long>(st.st_ino));
}

std::map<std::string, ReloadWatcher::Stamp> ReloadWatcher::Stamps() const {
  std::map<std::string, Stamp> stamps;
  for (const std::string& file : files_()) stamps[file] = StampOf(file);
  return stamps;
}

void ReloadWatcher::Run() {
  std::map<std::string, Stamp> stamps = Stamps();
  while (true) {
    pollfd fds[2] = {{stop_fd_, POLLIN, 0}, {signal_fd_, POLLIN, 0}};
    const int ready = poll(fds, signal_fd_ >= 0 ? 2 : 1, poll_.count());
    if (ready > 0 && (fds[0].revents & POLLIN)) return;
    std::string why;
    if (ready > 0 && (fds[1].revents & POLLIN)) {
      signalfd_siginfo info;
      while (read(signal_fd_, &info, sizeof(info)) == sizeof(info)) {
      }
      why = "SIGHUP";
    } else {
      for (const auto& [file, stamp] : stamps) {
        if (StampOf(file) != stamp) {
          why = file + " changed";
          break;
        }
      }
    }
    if (why.empty()) continue;
    // Stamped before the reload reads the files: a write that lands while
    // it reads (a half-written file) is seen as a change at the next poll.
    stamps = Stamps();
    reload_(why);
    // Files the new config names, stamped as found; old ones dropped.
    std::map<std::string, Stamp> next;
    for (const std::string& file : files_()) {
      auto it = stamps.find(file);
      next[file] = it != stamps.end() ? it->second : StampOf(file);
    }
    stamps = std::move(next);
  }
}

}  // namespace vmbalance
