// Command-line pieces shared by every vmbalance binary: the --connect and
// --listen flags, interval and listen-address parsing, flag parsing with a
// short help, and starting the /metrics HTTP server. Call from main() only.
#ifndef VMBALANCE_EXPORTER_CLI_H_
#define VMBALANCE_EXPORTER_CLI_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "exporter/core/status.h"
#include "exporter/http/metrics_server.h"
#include "gflags/gflags.h"

// libvirt URI, default qemu:///system (as virsh -c).
DECLARE_string(connect);
// Address to serve /metrics on. Its default is empty here: each binary sets
// its own with SetListenDefault() before parsing flags, so --help shows it.
DECLARE_string(listen);

// Also shared, under the exporter-toolkit's names (defined in cli.cc with
// dots in their names, so read them through these):
//   --web.config.file     TLS, basic auth and headers (WebConfig); empty: none
//   --web.telemetry-path  where the metrics are served, default /metrics

namespace vmbalance {

// The vmbalance release, shown on the landing page.
inline constexpr char kVmbalanceVersion[] = "0.1.0";

const std::string& WebConfigFileFlag();
const std::string& TelemetryPathFlag();

// Exit code for bad command-line input.
inline constexpr int kUsageExitCode = 2;

// Seconds between samples: a plain decimal number in [0.01, 86400]. Rejects
// empty, zero, negative, non-numeric, trailing junk ("5s"), inf and nan.
StatusOr<double> ParseIntervalSeconds(const std::string& text);

// Normalises a listen address to what civetweb binds:
//   "9177" and ":9177" -> "0.0.0.0:9177" (all IPv4 interfaces)
//   "127.0.0.1:9177"   -> unchanged;  "localhost:9177" -> "127.0.0.1:9177"
//   "[::1]:9177"       -> unchanged (IPv6)
// Port 0 asks the kernel for a free port (see StartExposer's log line).
StatusOr<std::string> ParseListenAddress(const std::string& listen);

// Sets --listen's default (shown in --help) for this binary. Call before
// ParseFlagsOrExit. E.g. the exporter uses ":9177".
void SetListenDefault(const std::string& listen);

// The file defining --connect and --listen, for `flag_files` below.
const char* CommonFlagsFile();

// Parses flags (removing them from argv, leaving positional arguments).
// --helpshort prints ShortHelp(usage, flag_files) and exits 0; --help and
// --helpfull are gflags' own. `flag_files` names the files whose flags are
// the binary's own (pass __FILE__ for the caller's).
void ParseFlagsOrExit(int* argc, char*** argv, const std::string& usage,
                      const std::vector<std::string>& flag_files);

// "<program>: <usage>", then every registered flag defined in one of
// `flag_files`, read from gflags' registry (so a new flag shows up without
// being listed anywhere): file by file in the order given, by name within.
std::string ShortHelp(const std::string& usage,
                      const std::vector<std::string>& flag_files);

// Prints "<program>: <message>" and a hint to stderr, exits kUsageExitCode.
[[noreturn]] void ExitWithUsageError(const std::string& message);

// Serves the metrics on `listen` (any form ParseListenAddress accepts) at
// --web.telemetry-path, rendered once per snapshot (MetricsServer), with the
// landing page naming `binary_name`, /-/healthy, and /-/ready answered by
// `ready` (null: always ready), under --web.config.file if given. Turns
// civetweb's bind failure into a clear error, e.g. "cannot listen on
// 0.0.0.0:9177: port 9177 already in use", and says what is wrong with a
// bad web config or telemetry path.
StatusOr<std::unique_ptr<MetricsServer>> StartExposer(
    const std::string& listen, const std::string& binary_name = "vmbalance",
    std::function<Status()> ready = nullptr);

// --web.telemetry-path must be an absolute path other than /, /-/healthy and
// /-/ready.
Status CheckTelemetryPath(const std::string& path);

}  // namespace vmbalance

#endif  // VMBALANCE_EXPORTER_CLI_H_
