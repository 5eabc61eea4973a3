// Gzip for a page built of cached parts behind a small per-request head: each
// part is deflated on its own, once (the head per request), and the parts
// are framed into one gzip member (RFC 1952) without compressing any part
// again. Also: whether a request accepts gzip.
#ifndef VMBALANCE_EXPORTER_HTTP_GZIP_H_
#define VMBALANCE_EXPORTER_HTTP_GZIP_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vmbalance {

// One part of a deflate stream: raw deflate blocks ending on a byte boundary
// (sync flush), never the final block, so any part may follow it.
struct DeflatedPart {
  std::string deflated;
  uint32_t crc = 0;   // crc32 of the plain text
  uint64_t size = 0;  // plain length in bytes
};

// Deflates `text` at zlib `level` (1 fast .. 9 small). nullopt if zlib fails
// (out of memory).
std::optional<DeflatedPart> Deflate(std::string_view text, int level);

// The gzip header: goes before the first part.
std::string GzipHeader();
// The final (empty) deflate block and the trailer for `parts` in order:
// goes after the last part.
std::string GzipFinish(const std::vector<const DeflatedPart*>& parts);
// Header, parts and finish in one string (for tests; the server writes the
// pieces without copying the parts).
std::string GzipJoin(const std::vector<const DeflatedPart*>& parts);

// The plain text of a gzip stream; nullopt if it is not valid gzip.
std::optional<std::string> Gunzip(std::string_view gzip);

// Whether an Accept-Encoding header value allows gzip: "gzip" (or "x-gzip")
// with a non-zero weight, else "*" with one. Null (no header) means no.
bool AcceptsGzip(const char* accept_encoding);

}  // namespace vmbalance

#endif  // VMBALANCE_EXPORTER_HTTP_GZIP_H_
