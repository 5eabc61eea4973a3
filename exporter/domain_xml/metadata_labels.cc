#include "exporter/domain_xml/metadata_labels.h"

#include <set>

namespace vmbalance {
namespace {

bool IsAsciiLetter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Prometheus' label name rule, [a-zA-Z_][a-zA-Z0-9_]*.
bool IsLabelName(std::string_view name) {
  if (name.empty() || IsDigit(name[0])) return false;
  for (char c : name) {
    if (!IsAsciiLetter(c) && !IsDigit(c) && c != '_') return false;
  }
  return true;
}

// An XML local name, ASCII only: a letter or '_', then letters, digits,
// '_', '-', '.'.
bool IsLocalName(std::string_view name) {
  if (name.empty() || !(IsAsciiLetter(name[0]) || name[0] == '_')) {
    return false;
  }
  for (char c : name) {
    if (!IsAsciiLetter(c) && !IsDigit(c) && c != '_' && c != '-' && c != '.') {
      return false;
    }
  }
  return true;
}

// Splits at commas outside {...}: a namespace URI may hold a comma.
std::vector<std::string_view> SplitSpecs(std::string_view text) {
  std::vector<std::string_view> parts;
  int depth = 0;
  size_t start = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '{') ++depth;
    if (text[i] == '}' && depth > 0) --depth;
    if (text[i] == ',' && depth == 0) {
      parts.push_back(text.substr(start, i - start));
      start = i + 1;
    }
  }
  parts.push_back(text.substr(start));
  return parts;
}

Status NameError(std::string_view name) {
  const std::string quoted = "label name '" + std::string(name) + "' ";
  if (!IsLabelName(name)) {
    return Status::Error(
        quoted + "is not a Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*)");
  }
  if (name.substr(0, 2) == "__") {
    return Status::Error(quoted + "is reserved (starts with __)");
  }
  for (const char* reserved : {"domain", "uuid", "job", "instance"}) {
    if (name == reserved) {
      return Status::Error(quoted +
                           "is reserved (domain and uuid are the series' own; "
                           "job and instance are Prometheus' target labels)");
    }
  }
  return Status::Ok();
}

StatusOr<MetadataLabelSpec> ParseOne(std::string_view spec) {
  const std::string quoted = "'" + std::string(spec) + "': ";
  const size_t equals = spec.find('=');
  if (equals == std::string_view::npos) {
    return Status::Error(quoted + "want NAME={NAMESPACE_URI}ELEMENT[/...]");
  }
  MetadataLabelSpec parsed;
  parsed.name = std::string(spec.substr(0, equals));
  if (Status name = NameError(parsed.name); !name.ok()) {
    return Status::Error(quoted + name.message());
  }
  std::string_view rest = spec.substr(equals + 1);
  const size_t close = rest.find('}');
  if (rest.empty() || rest[0] != '{' || close == std::string_view::npos) {
    return Status::Error(quoted +
                         "the path must start with {NAMESPACE_URI}, e.g. "
                         "{https://example.com/ops/1}owner/@team");
  }
  parsed.ns = std::string(rest.substr(1, close - 1));
  if (parsed.ns.empty() ||
      parsed.ns.find_first_of(" \t\r\n{") != std::string::npos) {
    return Status::Error(quoted + "empty or malformed namespace URI");
  }
  std::string_view path = rest.substr(close + 1);
  while (true) {
    const size_t slash = path.find('/');
    std::string_view step = path.substr(0, slash);
    const bool last = slash == std::string_view::npos;
    if (!step.empty() && step[0] == '@' && last && !parsed.elements.empty() &&
        IsLocalName(step.substr(1))) {
      parsed.attribute = std::string(step.substr(1));
      break;
    }
    if (!IsLocalName(step)) {
      return Status::Error(quoted + "bad path step '" + std::string(step) +
                           "' (element names, then optionally /@attribute)");
    }
    parsed.elements.emplace_back(step);
    if (parsed.elements.size() > kMaxMetadataPathSteps) {
      return Status::Error(quoted + "path deeper than " +
                           std::to_string(kMaxMetadataPathSteps) + " steps");
    }
    if (last) break;
    path.remove_prefix(slash + 1);
  }
  return parsed;
}

// The length of the valid UTF-8 sequence at text[i], or 0 when invalid.
size_t Utf8Length(std::string_view text, size_t i) {
  const auto byte = [&](size_t k) {
    return static_cast<unsigned char>(text[k]);
  };
  const unsigned char lead = byte(i);
  if (lead < 0x80) return 1;
  size_t n = lead >= 0xC2 && lead <= 0xDF   ? 2
             : lead >= 0xE0 && lead <= 0xEF ? 3
             : lead >= 0xF0 && lead <= 0xF4 ? 4
                                            : 0;
  if (n == 0 || i + n > text.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
  }
  const unsigned char second = byte(i + 1);
  if ((lead == 0xE0 && second < 0xA0) || (lead == 0xED && second >= 0xA0) ||
      (lead == 0xF0 && second < 0x90) || (lead == 0xF4 && second >= 0x90)) {
    return 0;  // overlong, surrogate or beyond U+10FFFF
  }
  return n;
}

}  // namespace

StatusOr<std::vector<MetadataLabelSpec>> ParseMetadataLabelSpecs(
    std::string_view text) {
  std::vector<MetadataLabelSpec> specs;
  if (text.empty()) return specs;
  std::set<std::string> names;
  for (std::string_view part : SplitSpecs(text)) {
    StatusOr<MetadataLabelSpec> spec = ParseOne(part);
    if (!spec.ok()) return spec.status();
    if (!names.insert(spec->name).second) {
      return Status::Error("label name '" + spec->name + "' given twice");
    }
    specs.push_back(std::move(spec).value());
  }
  if (specs.size() > kMaxMetadataLabels) {
    return Status::Error("at most " + std::to_string(kMaxMetadataLabels) +
                         " labels (bounded cardinality), got " +
                         std::to_string(specs.size()));
  }
  return specs;
}

std::string SanitizeLabelValue(std::string_view text) {
  std::string out;
  bool space = false;  // a space is pending (never at the start)
  for (size_t i = 0; i < text.size();) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c <= 0x20 || c == 0x7F) {
      space = !out.empty();
      ++i;
      continue;
    }
    const size_t n = Utf8Length(text, i);
    const std::string_view piece = n == 0 ? "?" : text.substr(i, n);
    const size_t needed = piece.size() + (space ? 1 : 0);
    if (out.size() + needed > kMaxMetadataValueBytes) break;
    if (space) out += ' ';
    space = false;
    out += piece;
    i += n == 0 ? 1 : n;
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> ReadMetadataLabels(
    const xml::Element& metadata, const std::vector<MetadataLabelSpec>& specs) {
  std::vector<std::pair<std::string, std::string>> labels;
  labels.reserve(specs.size());
  for (const MetadataLabelSpec& spec : specs) {
    xml::Element node =
        metadata.Child(spec.elements[0].c_str(), spec.ns.c_str());
    for (size_t i = 1; i < spec.elements.size() && node; ++i) {
      node = node.Child(spec.elements[i].c_str());
    }
    std::string value;
    if (node) {
      value = spec.attribute.empty()
                  ? node.Text()
                  : node.Attr(spec.attribute.c_str()).value_or("");
    }
    labels.emplace_back(spec.name, SanitizeLabelValue(value));
  }
  return labels;
}

}  // namespace vmbalance
