/// Element accessors (the tree itself is built by reader.cpp).

#include "cosmo/xml/reader.hpp"

namespace cosmo::xml {

const Element* Element::child(const QName& name) const {
    for (const Element& c : children) {
        if (c.name == name) {
            return &c;
        }
    }
    return nullptr;
}

std::string Element::attribute(std::string_view local) const {
    for (const Attribute& a : attributes) {
        // Unprefixed attributes are in no namespace (Namespaces in XML 1.0 §6.2),
        // whatever the default namespace is.
        if (a.name.ns.empty() && a.name.local == local) {
            return a.value;
        }
    }
    return {};
}

std::string_view Element::trimmed_text() const {
    // XML whitespace is exactly these four characters (XML 1.0 §2.3, production S).
    constexpr std::string_view kSpace = " \t\r\n";
    std::string_view v = text;
    const auto first = v.find_first_not_of(kSpace);
    if (first == std::string_view::npos) {
        return {};
    }
    const auto last = v.find_last_not_of(kSpace);
    return v.substr(first, last - first + 1);
}

}  // namespace cosmo::xml
