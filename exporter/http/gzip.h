// Gzip for a cached body behind a small per-request head: each part is
// deflated on its own (the body once per snapshot, the head per request) and
// the parts are spliced into one gzip member (RFC 1952) without compressing
// the body again. Also: whether a request accepts gzip.
#ifndef VMBALANCE_EXPORTER_HTTP_GZIP_H_
#define VMBALANCE_EXPORTER_HTTP_GZIP_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vmbalance {

// One part of a gzip stream: raw deflate data ending on a byte boundary.
struct DeflatedPart {
  std::string deflated;
  uint32_t crc = 0;   // crc32 of the plain text
  uint64_t size = 0;  // plain length in bytes
  bool last = false;  // ends the deflate stream (BFINAL set)
};

// Deflates `text`. A part that is not `last` ends with a sync flush, so
// another part can follow it. `level` is zlib's (1 fast .. 9 small).
// nullopt if zlib fails (out of memory).
std::optional<DeflatedPart> Deflate(std::string_view text, bool last,
                                    int level);

// The gzip header followed by `head` (which must not be last).
std::string GzipStart(const DeflatedPart& head);
// The gzip trailer for head + tail (crc32 and length of both texts).
std::string GzipEnd(const DeflatedPart& head, const DeflatedPart& tail);
// GzipStart + tail.deflated + GzipEnd, in one string (for tests; the server
// writes the three pieces without copying the tail).
std::string GzipJoin(const DeflatedPart& head, const DeflatedPart& tail);

// The plain text of a gzip stream; nullopt if it is not valid gzip.
std::optional<std::string> Gunzip(std::string_view gzip);

// Whether an Accept-Encoding header value allows gzip: a "gzip" (or "*")
// token without q=0. Null (no header) means no.
bool AcceptsGzip(const char* accept_encoding);

}  // namespace vmbalance

#endif  // VMBALANCE_EXPORTER_HTTP_GZIP_H_
