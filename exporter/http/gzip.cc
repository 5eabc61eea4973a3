#include "exporter/http/gzip.h"

#include <zlib.h>

#include <cctype>
#include <cstdlib>
#include <utility>

namespace vmbalance {
namespace {

// A gzip header: magic, deflate, no flags, no mtime, no extra flags, OS
// unknown (RFC 1952, 2.3).
constexpr char kGzipHeader[] = {'\x1f', '\x8b', '\x08', 0, 0,
                                0,      0,      0,      0, '\xff'};

void AppendLittleEndian32(uint32_t value, std::string* out) {
  for (int i = 0; i < 4; ++i) {
    out->push_back(static_cast<char>((value >> (8 * i)) & 0xff));
  }
}

std::string Lowercase(std::string text) {
  for (char& c : text) c = std::tolower(static_cast<unsigned char>(c));
  return text;
}

std::string Trim(const std::string& text) {
  const size_t begin = text.find_first_not_of(" \t");
  if (begin == std::string::npos) return "";
  return text.substr(begin, text.find_last_not_of(" \t") - begin + 1);
}

// One Accept-Encoding element, e.g. "gzip;q=0.5": its coding, lowercase,
// and whether its weight is above zero.
std::pair<std::string, bool> ParseElement(const std::string& element) {
  const size_t semicolon = element.find(';');
  const std::string coding = Lowercase(Trim(element.substr(0, semicolon)));
  if (semicolon == std::string::npos) return {coding, true};
  const std::string param = Lowercase(Trim(element.substr(semicolon + 1)));
  if (param.rfind("q=", 0) != 0) return {coding, true};
  return {coding, std::strtod(param.c_str() + 2, nullptr) > 0};
}

}  // namespace

std::optional<DeflatedPart> Deflate(std::string_view text, int level) {
  z_stream stream{};
  // Negative window bits: raw deflate, the gzip framing is ours.
  if (deflateInit2(&stream, level, Z_DEFLATED, -MAX_WBITS, /*memLevel=*/8,
                   Z_DEFAULT_STRATEGY) != Z_OK) {
    return std::nullopt;
  }
  DeflatedPart part;
  part.size = text.size();
  part.crc = crc32_z(crc32_z(0, nullptr, 0),
                     reinterpret_cast<const Bytef*>(text.data()), text.size());
  part.deflated.resize(deflateBound(&stream, text.size()) + 16);
  stream.next_in =
      reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));  // not written
  stream.avail_in = text.size();
  stream.next_out = reinterpret_cast<Bytef*>(part.deflated.data());
  stream.avail_out = part.deflated.size();
  const int rc = deflate(&stream, Z_SYNC_FLUSH);
  // A flush that filled the buffer may not be complete.
  const bool done = rc == Z_OK && stream.avail_in == 0 && stream.avail_out > 0;
  part.deflated.resize(stream.total_out);
  deflateEnd(&stream);
  if (!done) return std::nullopt;
  return part;
}

std::string GzipHeader() {
  return std::string(kGzipHeader, sizeof(kGzipHeader));
}

std::string GzipFinish(const std::vector<const DeflatedPart*>& parts) {
  // A final fixed-Huffman block holding only end-of-block: BFINAL 1,
  // BTYPE 01, code 0000000, padded to a byte (RFC 1951, 3.2.3 and 3.2.6).
  std::string out("\x03\x00", 2);
  uint32_t crc = crc32_z(0, nullptr, 0);
  uint64_t size = 0;
  for (const DeflatedPart* part : parts) {
    crc = crc32_combine(crc, part->crc, part->size);
    size += part->size;
  }
  AppendLittleEndian32(crc, &out);
  // ISIZE is the length modulo 2^32 (RFC 1952).
  AppendLittleEndian32(static_cast<uint32_t>(size), &out);
  return out;
}

std::string GzipJoin(const std::vector<const DeflatedPart*>& parts) {
  std::string out = GzipHeader();
  for (const DeflatedPart* part : parts) out += part->deflated;
  return out + GzipFinish(parts);
}

std::optional<std::string> Gunzip(std::string_view gzip) {
  z_stream stream{};
  if (inflateInit2(&stream, 16 + MAX_WBITS) != Z_OK) return std::nullopt;
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(gzip.data()));
  stream.avail_in = gzip.size();
  std::string out;
  int rc = Z_OK;
  while (rc == Z_OK) {
    char buffer[16384];
    stream.next_out = reinterpret_cast<Bytef*>(buffer);
    stream.avail_out = sizeof(buffer);
    rc = inflate(&stream, Z_NO_FLUSH);
    out.append(buffer, sizeof(buffer) - stream.avail_out);
  }
  const bool whole = rc == Z_STREAM_END && stream.avail_in == 0;
  inflateEnd(&stream);
  if (!whole) return std::nullopt;
  return out;
}

bool AcceptsGzip(const char* accept_encoding) {
  if (accept_encoding == nullptr) return false;
  const std::string header = accept_encoding;
  std::optional<bool> gzip;  // named explicitly: its own weight decides
  bool any = false;          // "*" with a non-zero weight
  size_t begin = 0;
  while (begin <= header.size()) {
    size_t comma = header.find(',', begin);
    if (comma == std::string::npos) comma = header.size();
    const auto [coding, allowed] =
        ParseElement(header.substr(begin, comma - begin));
    if (coding == "gzip" || coding == "x-gzip") gzip = allowed;
    if (coding == "*") any = allowed;
    begin = comma + 1;
  }
  return gzip.value_or(any);
}

}  // namespace vmbalance
