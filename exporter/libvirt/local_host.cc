#include "exporter/libvirt/local_host.h"

namespace vmbalance {
namespace {

// The host of an authority "[user@]host[:port]", without brackets around an
// IPv6 literal.
std::string_view HostOf(std::string_view authority) {
  size_t at = authority.rfind('@');
  if (at != std::string_view::npos) authority.remove_prefix(at + 1);
  if (!authority.empty() && authority.front() == '[') {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return authority;  // malformed
    return authority.substr(1, close - 1);
  }
  return authority.substr(0, authority.find(':'));
}

// 127.0.0.0/8 as a dotted literal: a DNS name may also start "127.".
bool IsLoopbackIpv4(std::string_view host) {
  return host.substr(0, 4) == "127." &&
         host.find_first_not_of("0123456789.") == std::string_view::npos;
}

bool IsLoopback(std::string_view host) {
  return host == "localhost" || host == "::1" || IsLoopbackIpv4(host);
}

}  // namespace

bool IsLocalHostUri(std::string_view uri) {
  constexpr std::string_view kSeparator = "://";
  size_t separator = uri.find(kSeparator);
  if (separator == std::string_view::npos || separator == 0) return false;
  std::string_view scheme = uri.substr(0, separator);
  std::string_view driver = scheme.substr(0, scheme.find('+'));
  if (driver == "test") return false;
  std::string_view rest = uri.substr(separator + kSeparator.size());
  std::string_view authority = rest.substr(0, rest.find_first_of("/?"));
  std::string_view host = HostOf(authority);
  return host.empty() || IsLoopback(host);
}

}  // namespace vmbalance
