#include "exporter/http/metrics_server.h"

#include <civetweb.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <chrono>
#include <cstring>
#include <exception>
#include <fstream>
#include <sstream>

#include "exporter/http/basic_auth.h"
#include "exporter/http/gzip.h"
#include "exporter/http/tls_context.h"
#include "exporter/metrics/versioned_collectable.h"
#include "glog/logging.h"

namespace vmbalance {
namespace {

// The head (exposer_* figures, a few hundred bytes) is compressed per
// request: the fastest level costs microseconds.
constexpr int kHeadCompressionLevel = 1;

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

// A short reply for everything that is not a scrape.
int Reply(mg_connection* conn, int code, const char* reason,
          const std::string& extra_headers, const std::string& body,
          bool head_only, const char* type = "text/plain") {
  mg_printf(conn,
            "HTTP/1.1 %d %s\r\nContent-Type: %s; charset=utf-8\r\n"
            "%sContent-Length: %zu\r\nConnection: close\r\n\r\n",
            code, reason, type, extra_headers.c_str(), body.size());
  if (!head_only) WriteAll(conn, body);
  return code;
}

// Escapes text for HTML (the names shown come from flags).
std::string Html(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string LandingPage(const MetricsServerConfig& config) {
  const std::string name = Html(config.binary_name);
  const std::string path = Html(config.telemetry_path);
  return "<!DOCTYPE html>\n<html><head><title>" + name +
         "</title></head>\n<body><h1>" + name + "</h1>\n<p>Version " +
         Html(config.version) + "</p>\n<ul><li><a href=\"" + path + "\">" +
         path +
         "</a>: metrics</li>\n<li><a href=\"/-/healthy\">/-/healthy</a></li>"
         "\n<li><a href=\"/-/ready\">/-/ready</a></li></ul>\n</body></html>\n";
}

// A SHA-256 of the files a TLS config names, to see renewals (a digest: no
// copy of the key stays around).
std::string TlsFilesContent(const WebConfig& web) {
  if (!web.tls) return "";
  std::string all;
  for (const std::string* path :
       {&web.tls->cert_file, &web.tls->key_file, &web.tls->client_ca_file}) {
    std::ifstream in(*path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    all += text.str() + '\0';
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(all.data(), all.size(), digest, &size, EVP_sha256(), nullptr);
  OPENSSL_cleanse(&all[0], all.size());
  return std::string(reinterpret_cast<char*>(digest), size);
}

// A TLS port in civetweb's notation: the address with an "s".
std::string ListeningPorts(const std::string& address, bool tls) {
  return tls ? address + "s" : address;
}

}  // namespace

StatusOr<std::unique_ptr<MetricsServer>> MetricsServer::Start(
    const std::string& address, const MetricsServerConfig& config) {
  static const unsigned initialised = mg_init_library(0);
  (void)initialised;
  WebConfig web;
  if (!config.web_config_file.empty()) {
    StatusOr<WebConfig> loaded = LoadWebConfig(config.web_config_file);
    if (!loaded.ok()) return loaded.status();
    web = *loaded;
  }
  if (web.tls && mg_check_feature(MG_FEATURES_TLS) == 0) {
    return Status::Error("this civetweb has no TLS support");
  }
  std::unique_ptr<MetricsServer> server(new MetricsServer(config));
  server->address_ = address;
  server->SetServing(web);
  if (!server->Listen(web)) {
    return Status::Error("cannot listen on " + address +
                         (web.tls ? " with TLS" : ""));
  }
  // Later restarts (a TLS change) must come back on the same port.
  const std::vector<int> ports = server->GetListeningPorts();
  const size_t colon = address.rfind(':');
  if (!ports.empty() && colon != std::string::npos) {
    server->address_ = address.substr(0, colon + 1) + std::to_string(ports[0]);
  }
  if (!config.web_config_file.empty()) {
    MetricsServer* self = server.get();
    server->watcher_ = std::make_unique<ReloadWatcher>(
        [self] {
          std::vector<std::string> files = {self->config_.web_config_file};
          const std::shared_ptr<const Serving> serving = self->current();
          if (serving->web.tls) {
            const TlsServerConfig& tls = *serving->web.tls;
            for (const std::string* f :
                 {&tls.cert_file, &tls.key_file, &tls.client_ca_file}) {
              if (!f->empty()) files.push_back(*f);
            }
          }
          return files;
        },
        [self](const std::string& why) {
          LOG(INFO) << "re-reading " << self->config_.web_config_file << " ("
                    << why << ")";
          Status s = self->ReloadWebConfig();
          if (!s.ok()) LOG(ERROR) << s.message();
        },
        std::chrono::milliseconds(config.web_config_poll_ms));
  }
  return server;
}

bool MetricsServer::Listen(const WebConfig& web) {
  const std::string ports = ListeningPorts(address_, web.tls.has_value());
  const std::string threads = std::to_string(config_.threads);
  const std::string queue = std::to_string(config_.connection_queue);
  const std::string backlog = std::to_string(config_.listen_backlog);
  const std::string timeout = std::to_string(config_.request_timeout_ms);
  const char* options[] = {
      "listening_ports",    ports.c_str(),   "num_threads",    threads.c_str(),
      "connection_queue",   queue.c_str(),   "listen_backlog", backlog.c_str(),
      "request_timeout_ms", timeout.c_str(), nullptr};
  mg_callbacks callbacks{};
  callbacks.begin_request = &MetricsServer::HandleRequest;
  callbacks.log_message = &QuietLog;
  if (web.tls) callbacks.init_ssl = &MetricsServer::InitSsl;
  std::lock_guard<std::mutex> lock(context_mutex_);
  starting_tls_ = web.tls ? &*web.tls : nullptr;
  context_ = mg_start(&callbacks, this, options);
  starting_tls_ = nullptr;
  return context_ != nullptr;
}

int MetricsServer::InitSsl(void* ssl_ctx, void* user_data) {
  // Called inside mg_start, under context_mutex_ held by Listen.
  auto* server = static_cast<MetricsServer*>(user_data);
  if (server->starting_tls_ == nullptr) return -1;
  Status s = ConfigureTls(ssl_ctx, *server->starting_tls_);
  if (!s.ok()) {
    LOG(ERROR) << "TLS: " << s.message();
    return -1;
  }
  return 1;  // civetweb sets nothing up itself
}

std::shared_ptr<const MetricsServer::Serving> MetricsServer::current() const {
  std::lock_guard<std::mutex> lock(serving_mutex_);
  return serving_;
}

void MetricsServer::SetServing(const WebConfig& web) {
  auto serving = std::make_shared<Serving>();
  serving->web = web;
  serving->tls_files = TlsFilesContent(web);
  serving->auth = std::make_shared<BasicAuth>(web.users);
  for (const auto& [name, value] : web.headers) {
    serving->headers += name + ": " + value + "\r\n";
  }
  std::lock_guard<std::mutex> lock(serving_mutex_);
  serving_ = std::move(serving);
}

bool MetricsServer::tls() const { return current()->web.tls.has_value(); }

Status MetricsServer::ReloadWebConfig() {
  StatusOr<WebConfig> loaded = LoadWebConfig(config_.web_config_file);
  if (!loaded.ok()) {
    return Status::Error(loaded.status().message() +
                         "; keeping the config in force");
  }
  const std::shared_ptr<const Serving> in_force = current();
  const WebConfig old = in_force->web;
  // The listener restarts only for new TLS settings or files (a renewed
  // cert_file with the same config text counts): users and headers switch
  // in place.
  const std::string tls_files = TlsFilesContent(*loaded);
  if (loaded->tls == old.tls && tls_files == in_force->tls_files) {
    SetServing(*loaded);
    LOG(INFO) << "web config reloaded";
    return Status::Ok();
  }
  {
    std::lock_guard<std::mutex> lock(context_mutex_);
    if (context_ != nullptr) mg_stop(context_);
    context_ = nullptr;
  }
  // Auth and headers switch with the listener, so a plain-HTTP moment never
  // serves under the old users with the new TLS or the other way round.
  SetServing(*loaded);
  if (Listen(*loaded)) {
    LOG(INFO) << "web config reloaded; listening again on " << address_
              << (loaded->tls ? " with TLS" : "");
    return Status::Ok();
  }
  SetServing(old);
  if (Listen(old)) {
    return Status::Error("cannot listen on " + address_ +
                         " under the new web config; back on the old one");
  }
  return Status::Error("cannot listen on " + address_ +
                       " under either web config: not serving until the "
                       "next reload");
}

MetricsServer::~MetricsServer() {
  watcher_.reset();  // no reload may restart what is being stopped
  std::lock_guard<std::mutex> lock(context_mutex_);
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
  std::lock_guard<std::mutex> lock(context_mutex_);
  if (context_ == nullptr) return {};
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
  const std::shared_ptr<const Serving> serving = current();
  const std::string& headers = serving->headers;
  const mg_request_info* request = mg_get_request_info(conn);
  const bool head = std::strcmp(request->request_method, "HEAD") == 0;
  // Every path is behind basic auth, as with the exporter-toolkit.
  if (!serving->auth->Allows(mg_get_header(conn, "Authorization"))) {
    return Reply(conn, 401, "Unauthorized",
                 headers + "WWW-Authenticate: Basic\r\n", "Unauthorized\n",
                 head);
  }
  const std::string path = request->local_uri ? request->local_uri : "";
  const bool known = path == config_.telemetry_path || path == "/" ||
                     path == "/-/healthy" || path == "/-/ready";
  if (!known) {
    return Reply(conn, 404, "Not Found", headers,
                 "Not found: try " + config_.telemetry_path + "\n", head);
  }
  if (!head && std::strcmp(request->request_method, "GET") != 0) {
    return Reply(conn, 405, "Method Not Allowed",
                 headers + "Allow: GET, HEAD\r\n",
                 "Method not allowed: use GET\n", false);
  }
  if (path == config_.telemetry_path) {
    return ServeMetrics(conn, head, *serving);
  }
  if (path == "/-/healthy") {
    return Reply(conn, 200, "OK", headers,
                 config_.binary_name + " is healthy.\n", head);
  }
  if (path == "/-/ready") {
    const Status ready = config_.ready ? config_.ready() : Status::Ok();
    if (!ready.ok()) {
      return Reply(
          conn, 503, "Service Unavailable", headers,
          config_.binary_name + " is not ready: " + ready.message() + "\n",
          head);
    }
    return Reply(conn, 200, "OK", headers, config_.binary_name + " is ready.\n",
                 head);
  }
  return Reply(conn, 200, "OK", headers, LandingPage(config_), head,
               "text/html");
}

int MetricsServer::ServeMetrics(mg_connection* conn, bool head_only,
                                const Serving& serving) {
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
              "Content-Encoding: gzip\r\n%sContent-Length: %zu\r\n"
              "Connection: close\r\n\r\n",
              serving.headers.c_str(), sent);
    if (head_only) return 200;
    WriteAll(conn, header);
    for (const DeflatedPart* part : *parts) WriteAll(conn, part->deflated);
    WriteAll(conn, finish);
  } else {
    sent = head.size() + page->size();
    mg_printf(conn,
              "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\n"
              "%sContent-Length: %zu\r\nConnection: close\r\n\r\n",
              serving.headers.c_str(), sent);
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
