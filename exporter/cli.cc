#include "exporter/cli.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <iostream>

DEFINE_string(connect, "qemu:///system",
              "libvirt connection URI, as virsh -c (e.g. test:///default).");
DEFINE_string(listen, "",
              "Address to serve /metrics on: PORT, :PORT, IPV4:PORT, "
              "[IPV6]:PORT; port 0 picks a free port.");

namespace {

// Flags with the toolkit's dotted names, which DEFINE_string cannot spell.
std::string web_config_file_value, web_config_file_default;
const gflags::FlagRegisterer web_config_file_flag(
    "web.config.file",
    "Web config file (Prometheus exporter-toolkit format): TLS, basic auth, "
    "response headers. Re-read on SIGHUP and when it changes. Empty: plain "
    "HTTP, no auth.",
    __FILE__, &web_config_file_value, &web_config_file_default);
std::string telemetry_path_value = "/metrics";
std::string telemetry_path_default = "/metrics";
const gflags::FlagRegisterer telemetry_path_flag(
    "web.telemetry-path", "Path under which to serve the metrics.", __FILE__,
    &telemetry_path_value, &telemetry_path_default);

}  // namespace

namespace vmbalance {

const std::string& WebConfigFileFlag() { return web_config_file_value; }
const std::string& TelemetryPathFlag() { return telemetry_path_value; }

namespace {

constexpr double kMinIntervalSeconds = 0.01;
constexpr double kMaxIntervalSeconds = 86400;

bool AllDigits(const std::string& text) {
  if (text.empty() || text.size() > 5) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// Why binding `address` fails, found by trying it ourselves: civetweb only
// says that it failed.
std::string DiagnoseBindFailure(const std::string& host, int port) {
  const bool v6 = host.find(':') != std::string::npos;
  const int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return std::strerror(errno);
  const int on = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
  int rc;
  if (v6) {
    sockaddr_in6 addr{};
    addr.sin6_family = AF_INET6;
    addr.sin6_port = htons(port);
    inet_pton(AF_INET6, host.c_str(), &addr.sin6_addr);
    rc = bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  } else {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    inet_pton(AF_INET, host.c_str(), &addr.sin_addr);
    rc = bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  }
  const int error = rc == 0 ? 0 : errno;
  close(fd);
  switch (error) {
    case 0:
      return "the HTTP server failed to start";
    case EADDRINUSE:
      return "port " + std::to_string(port) + " already in use";
    case EACCES:
      return "permission denied for port " + std::to_string(port);
    case EADDRNOTAVAIL:
      return "address " + host + " is not on this host";
    default:
      return std::strerror(error);
  }
}

}  // namespace

StatusOr<double> ParseIntervalSeconds(const std::string& text) {
  if (text.empty()) return Status::Error("interval is missing");
  if (std::isspace(static_cast<unsigned char>(text.front()))) {
    return Status::Error("interval '" + text + "' has leading space");
  }
  const char* begin = text.c_str();
  char* end = nullptr;
  errno = 0;
  const double seconds = std::strtod(begin, &end);
  if (end == begin || *end != '\0' || errno == ERANGE ||
      !std::isfinite(seconds) ||
      text.find_first_of("xXpP") != std::string::npos) {
    return Status::Error("interval '" + text +
                         "' is not a number of seconds (e.g. 5 or 0.5)");
  }
  if (seconds <= 0) {
    return Status::Error("interval must be positive, got '" + text + "'");
  }
  if (seconds < kMinIntervalSeconds || seconds > kMaxIntervalSeconds) {
    return Status::Error(
        "interval must be between 0.01 and 86400 seconds, "
        "got '" +
        text + "'");
  }
  return seconds;
}

StatusOr<std::string> ParseListenAddress(const std::string& listen) {
  if (AllDigits(listen)) return ParseListenAddress(":" + listen);
  const size_t colon = listen.rfind(':');
  if (colon == std::string::npos) {
    return Status::Error("listen address '" + listen +
                         "' has no port (use e.g. :9177 or 127.0.0.1:9177)");
  }
  const std::string port_text = listen.substr(colon + 1);
  if (!AllDigits(port_text) || std::stoi(port_text) > 65535) {
    return Status::Error("listen address '" + listen +
                         "' has no valid port (0-65535)");
  }
  std::string host = listen.substr(0, colon);
  if (host.empty()) host = "0.0.0.0";
  if (host == "localhost") host = "127.0.0.1";
  unsigned char buffer[sizeof(in6_addr)];
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    if (inet_pton(AF_INET6, host.substr(1, host.size() - 2).c_str(), buffer) ==
        1) {
      return host + ":" + std::to_string(std::stoi(port_text));
    }
  } else if (inet_pton(AF_INET, host.c_str(), buffer) == 1) {
    return host + ":" + std::to_string(std::stoi(port_text));
  }
  return Status::Error("listen address '" + listen +
                       "': host must be an IPv4 address, [IPv6] or localhost");
}

void SetListenDefault(const std::string& listen) {
  gflags::SetCommandLineOptionWithMode("listen", listen.c_str(),
                                       gflags::SET_FLAGS_DEFAULT);
}

const char* CommonFlagsFile() { return __FILE__; }

std::string ShortHelp(const std::string& usage,
                      const std::vector<std::string>& flag_files) {
  std::string text = std::string(gflags::ProgramInvocationShortName()) + ": " +
                     usage + "\n\n  Flags:\n";
  std::vector<gflags::CommandLineFlagInfo> flags;
  gflags::GetAllFlags(&flags);  // sorted by file, then name
  for (const std::string& file : flag_files) {
    for (const gflags::CommandLineFlagInfo& flag : flags) {
      if (flag.filename == file) text += gflags::DescribeOneFlag(flag);
    }
  }
  return text + "\n  Logging (glog) and all other flags: --helpfull\n";
}

void ParseFlagsOrExit(int* argc, char*** argv, const std::string& usage,
                      const std::vector<std::string>& flag_files) {
  gflags::SetUsageMessage(usage);
  gflags::ParseCommandLineNonHelpFlags(argc, argv, /*remove_flags=*/true);
  // gflags' own --helpshort only lists flags defined in a file named after
  // the binary, which misses the shared ones.
  std::string helpshort;
  if (gflags::GetCommandLineOption("helpshort", &helpshort) &&
      helpshort == "true") {
    std::cout << ShortHelp(gflags::ProgramUsage(), flag_files);
    std::exit(0);
  }
  gflags::HandleCommandLineHelpFlags();
}

void ExitWithUsageError(const std::string& message) {
  std::cerr << gflags::ProgramInvocationShortName() << ": " << message
            << "\nTry --helpshort for usage.\n";
  std::exit(kUsageExitCode);
}

Status CheckTelemetryPath(const std::string& path) {
  if (path.empty() || path.front() != '/') {
    return Status::Error("--web.telemetry-path '" + path +
                         "' must start with /");
  }
  if (path == "/" || path == "/-/healthy" || path == "/-/ready") {
    return Status::Error("--web.telemetry-path '" + path +
                         "' is taken by the landing page or a health check");
  }
  if (path.find_first_of(" ?#\r\n") != std::string::npos) {
    return Status::Error("--web.telemetry-path '" + path +
                         "' must be a plain path");
  }
  return Status::Ok();
}

StatusOr<std::unique_ptr<MetricsServer>> StartExposer(
    const std::string& listen, const std::string& binary_name,
    std::function<Status()> ready) {
  StatusOr<std::string> address = ParseListenAddress(listen);
  if (!address.ok()) return address.status();
  if (Status path = CheckTelemetryPath(TelemetryPathFlag()); !path.ok()) {
    return path;
  }
  MetricsServerConfig config;
  config.telemetry_path = TelemetryPathFlag();
  config.binary_name = binary_name;
  config.version = kVmbalanceVersion;
  config.ready = std::move(ready);
  config.web_config_file = WebConfigFileFlag();
  StatusOr<std::unique_ptr<MetricsServer>> server =
      MetricsServer::Start(*address, config);
  if (server.ok()) return server;
  if (server.status().message().rfind("cannot listen on ", 0) != 0) {
    return server;  // the web config: the message says what is wrong
  }
  const size_t colon = address->rfind(':');
  std::string host = address->substr(0, colon);
  if (host.front() == '[') host = host.substr(1, host.size() - 2);
  const int port = std::stoi(address->substr(colon + 1));
  return Status::Error("cannot listen on " + *address + ": " +
                       DiagnoseBindFailure(host, port));
}

}  // namespace vmbalance
