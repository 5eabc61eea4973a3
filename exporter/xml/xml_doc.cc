#include "exporter/xml/xml_doc.h"

#include <libxml/parser.h>
#include <libxml/tree.h>

#include <cstdlib>

namespace vmbalance {
namespace xml {
namespace {

constexpr size_t kMaxDocumentBytes = 64u << 20;

const xmlChar* X(const char* text) {
  return reinterpret_cast<const xmlChar*>(text);
}

std::string Owned(xmlChar* value) {
  if (value == nullptr) return "";
  std::string text(reinterpret_cast<const char*>(value));
  xmlFree(value);
  return text;
}

bool Matches(const xmlNode* node, const char* name, const char* ns) {
  if (node->type != XML_ELEMENT_NODE) return false;
  if (name != nullptr && xmlStrcmp(node->name, X(name)) != 0) return false;
  if (ns == nullptr) return true;
  return node->ns != nullptr && node->ns->href != nullptr &&
         xmlStrcmp(node->ns->href, X(ns)) == 0;
}

}  // namespace

std::string Element::name() const {
  return node_ ? reinterpret_cast<const char*>(node_->name) : "";
}

std::string Element::ns() const {
  if (!node_ || node_->ns == nullptr || node_->ns->href == nullptr) return "";
  return reinterpret_cast<const char*>(node_->ns->href);
}

Element Element::Child(const char* name, const char* ns) const {
  if (!node_) return Element();
  for (const xmlNode* n = node_->children; n != nullptr; n = n->next) {
    if (Matches(n, name, ns)) return Element(n);
  }
  return Element();
}

std::vector<Element> Element::Children(const char* name, const char* ns) const {
  std::vector<Element> out;
  if (!node_) return out;
  for (const xmlNode* n = node_->children; n != nullptr; n = n->next) {
    if (Matches(n, name, ns)) out.emplace_back(n);
  }
  return out;
}

std::vector<Element> Element::AllChildren() const { return Children(nullptr); }

Element Element::Path(std::initializer_list<const char*> names) const {
  Element at = *this;
  for (const char* name : names) at = at.Child(name);
  return at;
}

std::optional<std::string> Element::Attr(const char* name) const {
  if (!node_) return std::nullopt;
  xmlChar* value = xmlGetProp(node_, X(name));
  if (value == nullptr) return std::nullopt;
  return Owned(value);
}

std::string Element::Text() const {
  if (!node_) return "";
  std::string text = Owned(xmlNodeGetContent(node_));
  const size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return "";
  const size_t last = text.find_last_not_of(" \t\r\n");
  return text.substr(first, last - first + 1);
}

StatusOr<XmlDoc> XmlDoc::Parse(std::string_view text) {
  if (text.size() > kMaxDocumentBytes) {
    return Status::Error("XML document too large");
  }
  xmlDoc* raw = xmlReadMemory(
      text.data(), static_cast<int>(text.size()), "input.xml", nullptr,
      XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  if (raw == nullptr) return Status::Error("not well-formed XML");
  XmlDoc doc;
  doc.doc_ = std::shared_ptr<xmlDoc>(raw, xmlFreeDoc);
  return doc;
}

Element XmlDoc::root() const {
  return Element(xmlDocGetRootElement(doc_.get()));
}

std::optional<uint64_t> Number(std::string_view text) {
  if (text.empty() || text.size() > 19) return std::nullopt;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  return std::strtoull(std::string(text).c_str(), nullptr, 10);
}

}  // namespace xml
}  // namespace vmbalance
