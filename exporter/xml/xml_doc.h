// XmlDoc and Element: a parsed XML document (libxml2, owned by RAII) and
// read-only views of its elements, with the few lookups vmbalance's readers
// of libvirt XML need (children by local name and namespace, attributes,
// text). Parsing never touches the network and never prints; errors come
// back as Status. libxml2 stays out of this header.
#ifndef VMBALANCE_EXPORTER_XML_XML_DOC_H_
#define VMBALANCE_EXPORTER_XML_XML_DOC_H_

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "exporter/core/status.h"

struct _xmlDoc;
struct _xmlNode;

namespace vmbalance {
namespace xml {

// A view of one element; valid while its XmlDoc lives. A null Element
// (from a failed lookup) answers every lookup with null/empty.
class Element {
 public:
  Element() = default;
  explicit Element(const _xmlNode* node) : node_(node) {}

  explicit operator bool() const { return node_ != nullptr; }
  std::string name() const;  // local name
  std::string ns() const;    // namespace URI; "" when none

  // Matched by local name; with `ns`, also by namespace URI (whatever
  // prefix the document chose).
  Element Child(const char* name, const char* ns = nullptr) const;
  std::vector<Element> Children(const char* name,
                                const char* ns = nullptr) const;
  std::vector<Element> AllChildren() const;  // every child element
  // A descendant by a path of local names, e.g. {"host", "topology"}.
  Element Path(std::initializer_list<const char*> names) const;

  std::optional<std::string> Attr(const char* name) const;
  std::string Text() const;  // all text inside, trimmed

 private:
  const _xmlNode* node_ = nullptr;
};

class XmlDoc {
 public:
  // Fails on text that is not well-formed XML or is absurdly large.
  static StatusOr<XmlDoc> Parse(std::string_view text);
  Element root() const;

 private:
  std::shared_ptr<_xmlDoc> doc_;  // shared: copies view one document
};

// A whole non-negative decimal number, or nullopt.
std::optional<uint64_t> Number(std::string_view text);

}  // namespace xml
}  // namespace vmbalance

#endif  // VMBALANCE_EXPORTER_XML_XML_DOC_H_
