// MetricsServer: serves /metrics over HTTP (civetweb) from a PageCache, so a
// scrape costs a write of cached bytes, not a render: each source's part of
// the page (and its gzip, once a scraper has asked for gzip) is rendered once
// per snapshot, by a Prerenderer thread woken when the source publishes
// (while scrapes come: a process nobody scrapes renders nothing).
// Replaces prometheus-cpp's Exposer with the same text, content type, gzip
// (when the scraper accepts it) and exposer_* self-metrics. Also serves a
// landing page at /, /-/healthy and /-/ready; HEAD is answered, other paths
// get 404 and other methods 405. An optional web config (exporter-toolkit
// format, see WebConfig) adds TLS, basic auth on every path (as the toolkit
// does) and response headers; it is re-read on SIGHUP and when its files
// change, a bad one keeping the last good config. Worker threads are bounded
// (see MetricsServerConfig), so a scrape storm queues instead of growing the
// process.
#ifndef VMBALANCE_EXPORTER_HTTP_METRICS_SERVER_H_
#define VMBALANCE_EXPORTER_HTTP_METRICS_SERVER_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "exporter/core/status.h"
#include "exporter/http/page_cache.h"
#include "exporter/http/prerenderer.h"
#include "exporter/http/reload_watcher.h"
#include "exporter/http/scrape_stats.h"
#include "exporter/http/web_config.h"
#include "prometheus/collectable.h"

struct mg_connection;
struct mg_context;

namespace vmbalance {

struct MetricsServerConfig {
  // Connections served at once. Serving is a write of cached bytes, so a few
  // threads keep up with any scrape rate; a slow or stalled client holds one
  // for at most request_timeout_ms, and the rest keep serving.
  int threads = 4;
  // Accepted connections waiting for a thread; beyond them the kernel's
  // listen backlog holds new ones (a storm waits, nothing is refused).
  int connection_queue = 64;
  int listen_backlog = 256;
  // A client that neither sends its request nor reads the reply for this
  // long is dropped (Prometheus' default scrape timeout is 10 s).
  int request_timeout_ms = 10000;
  // New snapshots are rendered ahead only while scrapes keep up with them
  // (the pages of the last kPrerenderStreak snapshots were all read: with
  // Prometheus every 15 s and an interval of 2 s, most pages rendered ahead
  // would never be read, so a scrape renders its own, as before), and only
  // while someone scraped within this long.
  double prerender_while_scraped_s = 300;
  // Where the exposition is served (--web.telemetry-path).
  std::string telemetry_path = "/metrics";
  // For the landing page.
  std::string binary_name = "vmbalance";
  std::string version;
  // /-/ready: OK when ready, else a one-line reason. Unset: always ready.
  std::function<Status()> ready;
  // --web.config.file; empty: plain HTTP for everyone.
  std::string web_config_file;
  // How often the web config's files are checked for changes.
  int web_config_poll_ms = 2000;
};

class BasicAuth;

class MetricsServer {
 public:
  // Listens on `address` in civetweb's form (see ParseListenAddress); port 0
  // picks a free port. A web config that cannot be loaded is an error that
  // says why; otherwise the error only says that listening failed: the
  // caller knows the address and can say why.
  static StatusOr<std::unique_ptr<MetricsServer>> Start(
      const std::string& address, const MetricsServerConfig& config = {});
  ~MetricsServer();  // stops the server, waiting for requests in flight

  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  // Adds a source to /metrics (as Exposer::RegisterCollectable). A
  // VersionedCollectable's changes wake the prerenderer.
  void RegisterCollectable(const std::weak_ptr<prometheus::Collectable>& c);
  std::vector<int> GetListeningPorts() const;

  // Re-reads the web config file (what SIGHUP and file changes trigger); a
  // bad file keeps the config in force. A changed TLS part restarts the
  // listener on the same port (connections in flight finish first).
  // Returns whether the new config is in force.
  Status ReloadWebConfig();
  bool tls() const;

  // Pages rendered so far: once per snapshot, not per scrape.
  uint64_t renders() const { return cache_.renders(); }

 private:
  // What a request is served under: the web config and its auth check,
  // swapped whole on reload.
  struct Serving {
    WebConfig web;
    std::shared_ptr<BasicAuth> auth;
    std::string headers;    // the config's extra headers, as header lines
    std::string tls_files;  // digest of its TLS files when it was loaded
  };

  explicit MetricsServer(const MetricsServerConfig& config) : config_(config) {}
  static int HandleRequest(mg_connection* conn);
  static int InitSsl(void* ssl_ctx, void* user_data);
  // Starts civetweb on address_ under `web` (TLS or not); true on success.
  bool Listen(const WebConfig& web);
  std::shared_ptr<const Serving> current() const;
  void SetServing(const WebConfig& web);
  int Serve(mg_connection* conn);
  int ServeMetrics(mg_connection* conn, bool head_only, const Serving& serving);
  void Prerender();

  const MetricsServerConfig config_;
  std::string address_;  // as bound (port 0 replaced by the port chosen)
  mutable std::mutex context_mutex_;  // context_ and the TLS being started
  mg_context* context_ = nullptr;
  const TlsServerConfig* starting_tls_ = nullptr;  // for InitSsl
  mutable std::mutex serving_mutex_;
  std::shared_ptr<const Serving> serving_;
  PageCache cache_;
  ScrapeStats stats_;
  // steady_clock of the last scrape, in ns; 0: none yet.
  std::atomic<int64_t> last_scrape_ns_{0};
  // Whether the newest page was served since the last snapshot, and (on the
  // prerenderer's thread only) how many snapshots in a row were read.
  std::atomic<bool> page_served_{false};
  int served_streak_ = 0;
  std::atomic<bool> gzip_wanted_{false};  // a scraper accepted gzip
  // Last: its thread stops before the cache it renders into goes.
  Prerenderer prerenderer_{[this] { Prerender(); }};
  // After the prerenderer: stops first, before anything it reloads goes.
  std::unique_ptr<ReloadWatcher> watcher_;
};

}  // namespace vmbalance

#endif  // VMBALANCE_EXPORTER_HTTP_METRICS_SERVER_H_
