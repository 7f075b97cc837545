#pragma once
/// Namespace-aware reading of request bodies over pugixml (which is not
/// namespace-aware itself), with limits. Refuses DOCTYPE (so no entity
/// expansion or external entities can ever happen).

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "cosmo/xml/qname.hpp"

namespace cosmo::xml {

struct Limits {
    std::size_t max_depth = 64;
    std::size_t max_elements = 100000;
};

/// Malformed XML, a DOCTYPE, an undeclared prefix, or a broken limit.
/// what() is safe to show to a client.
class ParseError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct Attribute {
    QName name;
    std::string value;
};

/// One element with namespaces resolved.
struct Element {
    QName name;
    std::vector<Attribute> attributes;
    std::vector<Element> children;  ///< element children, in document order
    std::string text;               ///< concatenation of the direct text/CDATA children
    /// The element's content (text and child elements) serialized as XML
    /// that stands on its own: every element in it declares the namespaces
    /// it uses, so it can be stored and later embedded anywhere. Used for
    /// dead property values (round-trip exactly, RFC 4918 §4.3).
    std::string inner_xml;
    /// xml:lang in effect on this element, if any.
    std::string lang;

    /// First child with that name, or nullptr.
    const Element* child(const QName& name) const;
    /// Value of an attribute in the null namespace, or "".
    std::string attribute(std::string_view local) const;
    /// `text` without leading and trailing XML whitespace (text keeps it all).
    std::string_view trimmed_text() const;
};

/// Whether the root element gets its inner_xml too. A request body's
/// root never needs it (its children's are what PROPPATCH, LOCK and REPORT
/// keep), and it is the whole document serialized once more: a sixth of
/// what parsing a 50-href multiget cost.
enum class RootInnerXml { kKeep, kSkip };

/// Parses a whole document and returns its root element.
/// Throws ParseError.
Element parse(std::string_view document, const Limits& limits = {},
              RootInnerXml root_inner_xml = RootInnerXml::kKeep);

}  // namespace cosmo::xml
