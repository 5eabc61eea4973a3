#include "exporter/http/metrics_server.h"

#include <civetweb.h>

#include <chrono>
#include <cstring>
#include <exception>

#include "exporter/http/gzip.h"
#include "exporter/metrics/versioned_collectable.h"
#include "glog/logging.h"

namespace vmbalance {
namespace {

// The head (exposer_* figures, a few hundred bytes) is compressed per
// request: the fastest level costs microseconds.
constexpr int kHeadCompressionLevel = 1;
constexpr char kMetricsPath[] = "/metrics";

// civetweb logs a client that hangs up mid-reply, and its own start failure,
// which Start's caller explains better: keep them out of the service log.
int QuietLog(const mg_connection*, const char* message) {
  VLOG(1) << "civetweb: " << message;
  return 1;
}

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

void WriteAll(mg_connection* conn, const std::string& bytes) {
  if (!bytes.empty()) mg_write(conn, bytes.data(), bytes.size());
}

// A short plain-text reply for everything that is not a scrape.
int Reply(mg_connection* conn, int code, const char* reason,
          const char* extra_headers, const char* body, bool head_only) {
  mg_printf(conn,
            "HTTP/1.1 %d %s\r\nContent-Type: text/plain; charset=utf-8\r\n"
            "%sContent-Length: %zu\r\nConnection: close\r\n\r\n",
            code, reason, extra_headers, std::strlen(body));
  if (!head_only) mg_write(conn, body, std::strlen(body));
  return code;
}

}  // namespace

StatusOr<std::unique_ptr<MetricsServer>> MetricsServer::Start(
    const std::string& address, const MetricsServerConfig& config) {
  static const unsigned initialised = mg_init_library(0);
  (void)initialised;
  std::unique_ptr<MetricsServer> server(new MetricsServer(config));
  const std::string threads = std::to_string(config.threads);
  const std::string queue = std::to_string(config.connection_queue);
  const std::string backlog = std::to_string(config.listen_backlog);
  const std::string timeout = std::to_string(config.request_timeout_ms);
  const char* options[] = {
      "listening_ports",    address.c_str(), "num_threads",    threads.c_str(),
      "connection_queue",   queue.c_str(),   "listen_backlog", backlog.c_str(),
      "request_timeout_ms", timeout.c_str(), nullptr};
  mg_callbacks callbacks{};
  callbacks.begin_request = &MetricsServer::HandleRequest;
  callbacks.log_message = &QuietLog;
  server->context_ = mg_start(&callbacks, server.get(), options);
  if (server->context_ == nullptr) {
    return Status::Error("cannot listen on " + address);
  }
  return server;
}

MetricsServer::~MetricsServer() {
  if (context_ != nullptr) mg_stop(context_);
}

void MetricsServer::RegisterCollectable(
    const std::weak_ptr<prometheus::Collectable>& collectable) {
  cache_.Register(collectable);
  const std::shared_ptr<prometheus::Collectable> locked = collectable.lock();
  if (auto* versioned = dynamic_cast<VersionedCollectable*>(locked.get())) {
    versioned->AddChangeListener(prerenderer_.Listener());
  }
  prerenderer_.Wake();
}

void MetricsServer::Prerender() {
  // Snapshots whose page was read, in a row: scrapes keep up with them.
  constexpr int kPrerenderStreak = 2;
  served_streak_ = page_served_.exchange(false) ? served_streak_ + 1 : 0;
  if (served_streak_ < kPrerenderStreak) return;  // render on demand
  const int64_t last = last_scrape_ns_.load();
  const int64_t now = NowNs();
  if (last == 0 || now - last > config_.prerender_while_scraped_s * 1e9) {
    return;  // nobody reads it lately: render on demand
  }
  const std::shared_ptr<const Page> page = cache_.Get();
  if (gzip_wanted_.load()) page->Deflated();
}

std::vector<int> MetricsServer::GetListeningPorts() const {
  mg_server_port ports[8] = {};
  const int count = mg_get_server_ports(context_, 8, ports);
  std::vector<int> out;
  for (int i = 0; i < count; ++i) out.push_back(ports[i].port);
  return out;
}

int MetricsServer::HandleRequest(mg_connection* conn) {
  auto* server =
      static_cast<MetricsServer*>(mg_get_user_data(mg_get_context(conn)));
  try {
    return server->Serve(conn);
  } catch (const std::exception& e) {
    LOG(ERROR) << "metrics request failed: " << e.what();
  } catch (...) {
    LOG(ERROR) << "metrics request failed: unknown exception";
  }
  // No exception may cross civetweb's C frames. If the failure came after
  // the headers went out, the client sees a short reply and drops it.
  return Reply(conn, 500, "Internal Server Error", "", "render failed\n",
               false);
}

int MetricsServer::Serve(mg_connection* conn) {
  const mg_request_info* request = mg_get_request_info(conn);
  const bool head = std::strcmp(request->request_method, "HEAD") == 0;
  const char* path = request->local_uri ? request->local_uri : "";
  if (std::strcmp(path, kMetricsPath) != 0) {
    return Reply(conn, 404, "Not Found", "", "Not found: try /metrics\n", head);
  }
  if (!head && std::strcmp(request->request_method, "GET") != 0) {
    return Reply(conn, 405, "Method Not Allowed", "Allow: GET, HEAD\r\n",
                 "Method not allowed: use GET\n", false);
  }
  return ServeMetrics(conn, head);
}

int MetricsServer::ServeMetrics(mg_connection* conn, bool head_only) {
  const auto start = std::chrono::steady_clock::now();
  last_scrape_ns_.store(NowNs());
  const bool gzip = AcceptsGzip(mg_get_header(conn, "Accept-Encoding"));
  if (gzip) gzip_wanted_.store(true);
  const std::shared_ptr<const Page> page = cache_.Get();
  page_served_.store(true);
  const std::string head = stats_.Text();
  std::optional<std::vector<const DeflatedPart*>> parts;
  std::optional<DeflatedPart> head_part;
  if (gzip) parts = page->Deflated();
  if (parts) head_part = Deflate(head, kHeadCompressionLevel);
  size_t sent = 0;
  if (head_part) {
    parts->insert(parts->begin(), &*head_part);
    const std::string header = GzipHeader();
    const std::string finish = GzipFinish(*parts);
    sent = header.size() + finish.size();
    for (const DeflatedPart* part : *parts) sent += part->deflated.size();
    mg_printf(conn,
              "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\n"
              "Content-Encoding: gzip\r\nContent-Length: %zu\r\n"
              "Connection: close\r\n\r\n",
              sent);
    if (head_only) return 200;
    WriteAll(conn, header);
    for (const DeflatedPart* part : *parts) WriteAll(conn, part->deflated);
    WriteAll(conn, finish);
  } else {
    sent = head.size() + page->size();
    mg_printf(conn,
              "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\n"
              "Content-Length: %zu\r\nConnection: close\r\n\r\n",
              sent);
    if (head_only) return 200;
    WriteAll(conn, head);
    for (const auto& part : page->parts) WriteAll(conn, part->text());
  }
  stats_.Record(sent, std::chrono::duration_cast<std::chrono::microseconds>(
                          std::chrono::steady_clock::now() - start)
                          .count());
  return 200;
}

}  // namespace vmbalance
