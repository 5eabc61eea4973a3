// ReloadWatcher: tells its owner, from a thread of its own, when to re-read
// a config: on SIGHUP, or when one of the watched files changes (its mtime,
// size or inode, checked by stat() once per poll period: a few stats a
// second cost nothing measurable). SIGHUP is seen only if BlockReloadSignal()
// ran in main() before any thread started.
#ifndef VMBALANCE_EXPORTER_HTTP_RELOAD_WATCHER_H_
#define VMBALANCE_EXPORTER_HTTP_RELOAD_WATCHER_H_

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

namespace vmbalance {

// Blocks SIGHUP in the calling thread, and so in every thread it starts
// later, so that the ReloadWatcher receives it (through a signalfd) instead
// of SIGHUP's default action, which ends the process.
void BlockReloadSignal();

class ReloadWatcher {
 public:
  // `files()` lists the files to watch (asked again after each reload: a
  // new config may name new files); `reload(why)` runs on the watcher's
  // thread, never twice at once.
  ReloadWatcher(std::function<std::vector<std::string>()> files,
                std::function<void(const std::string& why)> reload,
                std::chrono::milliseconds poll);
  ~ReloadWatcher();  // stops and joins the thread

  ReloadWatcher(const ReloadWatcher&) = delete;
  ReloadWatcher& operator=(const ReloadWatcher&) = delete;

 private:
  // (exists, mtime ns, size, inode) of a file.
  using Stamp = std::tuple<bool, long long, long long, unsigned long long>;
  static Stamp StampOf(const std::string& path);
  std::map<std::string, Stamp> Stamps() const;
  void Run();

  const std::function<std::vector<std::string>()> files_;
  const std::function<void(const std::string&)> reload_;
  const std::chrono::milliseconds poll_;
  int stop_fd_ = -1;    // eventfd written by the destructor
  int signal_fd_ = -1;  // SIGHUP, or -1 when SIGHUP is not blocked
  std::thread thread_;
};

}  // namespace vmbalance

#endif  // VMBALANCE_EXPORTER_HTTP_RELOAD_WATCHER_H_
