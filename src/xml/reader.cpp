/// xml::parse: pugixml builds the DOM, this file adds what pugixml leaves out:
/// namespace resolution (Namespaces in XML 1.0), refusal of DTDs, limits,
/// character checks, and the standalone inner_xml of every element.

#include <pugixml.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cosmo/xml/reader.hpp"
#include "cosmo/xml/writer.hpp"

namespace cosmo::xml {

namespace {

/// The one prefix bound without a declaration (Namespaces in XML 1.0 §3).
constexpr std::string_view kXmlNamespace = "http://www.w3.org/XML/1998/namespace";
constexpr std::string_view kXmlnsNamespace = "http://www.w3.org/2000/xmlns/";

/// A namespace declaration in scope; an empty prefix is the default namespace.
struct Binding {
    std::string prefix;
    std::string uri;
};

/// Decodes one UTF-8 sequence at `i`; returns the code point or -1 when the
/// bytes are not well-formed UTF-8 (overlong, surrogate, truncated, > U+10FFFF).
std::int32_t decode_utf8(std::string_view s, std::size_t& i) {
    const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
    const unsigned char b0 = byte(i);
    if (b0 < 0x80) {
        ++i;
        return b0;
    }
    std::size_t len = 0;
    std::int32_t cp = 0;
    std::int32_t min = 0;
    if ((b0 & 0xE0) == 0xC0) {
        len = 2, cp = b0 & 0x1F, min = 0x80;
    } else if ((b0 & 0xF0) == 0xE0) {
        len = 3, cp = b0 & 0x0F, min = 0x800;
    } else if ((b0 & 0xF8) == 0xF0) {
        len = 4, cp = b0 & 0x07, min = 0x10000;
    } else {
        return -1;
    }
    if (i + len > s.size()) {
        return -1;
    }
    for (std::size_t k = 1; k < len; ++k) {
        const unsigned char b = byte(i + k);
        if ((b & 0xC0) != 0x80) {
            return -1;
        }
        cp = (cp << 6) | (b & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
        return -1;
    }
    i += len;
    return cp;
}

/// True when every character matches XML 1.0 §2.2 production Char. pugixml
/// checks neither encoding nor Char, and a stored dead property that is not
/// well-formed would break every later PROPFIND (and the database's UTF-8).
bool valid_chars(std::string_view s) {
    // Most text is printable ASCII: decode only from the first byte that
    // is not (the result is the same, without a decode per character).
    std::size_t ascii = 0;
    while (ascii < s.size()) {
        const auto b = static_cast<unsigned char>(s[ascii]);
        if ((b < 0x20 && b != 0x9 && b != 0xA && b != 0xD) || b >= 0x7F) break;
        ++ascii;
    }
    for (std::size_t i = ascii; i < s.size();) {
        const std::int32_t c = decode_utf8(s, i);
        const bool ok = c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) ||
                        (c >= 0xE000 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0x10FFFF);
        if (!ok) {
            return false;
        }
    }
    return true;
}

/// Splits "p:local" into {"p", "local"}; a QName has at most one colon and
/// no empty part (Namespaces in XML 1.0 §4).
std::pair<std::string_view, std::string_view> split_qname(std::string_view raw) {
    const auto colon = raw.find(':');
    if (colon == std::string_view::npos) {
        return {{}, raw};
    }
    const std::string_view prefix = raw.substr(0, colon);
    const std::string_view local = raw.substr(colon + 1);
    if (prefix.empty() || local.empty() || local.find(':') != std::string_view::npos) {
        throw ParseError("malformed XML: invalid qualified name '" + std::string(raw) + "'");
    }
    return {prefix, local};
}

/// Text that may include any character data: pcdata or CDATA sections.
bool is_text(const pugi::xml_node& n) {
    return n.type() == pugi::node_pcdata || n.type() == pugi::node_cdata;
}

/// Writes `node` (an element) and its content with the original prefixes.
/// `extra` holds declarations to add on this element because they were in
/// scope at the inner_xml boundary (nullptr below the top level, where the
/// element's own serialized ancestors already carry them).
void serialize(const pugi::xml_node& node, const std::vector<Binding>* extra, std::string& out) {
    const std::string_view tag = node.name();
    out += '<';
    out += tag;
    if (extra != nullptr) {
        for (const Binding& b : *extra) {
            const std::string attr = b.prefix.empty() ? "xmlns" : "xmlns:" + b.prefix;
            if (node.attribute(attr.c_str())) {
                continue;  // the element redeclares it itself
            }
            out += ' ';
            out += attr;
            out += "=\"";
            out += escape_attribute(b.uri);
            out += '"';
        }
    }
    for (const pugi::xml_attribute& a : node.attributes()) {
        out += ' ';
        out += a.name();
        out += "=\"";
        out += escape_attribute(a.value());
        out += '"';
    }
    bool has_content = false;
    for (const pugi::xml_node& c : node.children()) {
        if (c.type() == pugi::node_element || is_text(c)) {
            has_content = true;
            break;
        }
    }
    if (!has_content) {
        out += "/>";
        return;
    }
    out += '>';
    for (const pugi::xml_node& c : node.children()) {
        if (c.type() == pugi::node_element) {
            serialize(c, nullptr, out);
        } else if (is_text(c)) {
            out += escape(c.value());
        }
    }
    out += "</";
    out += tag;
    out += '>';
}

/// Walks pugixml's DOM with a stack of in-scope namespace declarations.
class Resolver {
public:
    Resolver(const Limits& limits, RootInnerXml root_inner_xml)
        : limits_(limits), root_inner_xml_(root_inner_xml) {}

    Element read(const pugi::xml_node& node, std::size_t depth, const std::string& lang) {
        if (depth > limits_.max_depth) {
            throw ParseError("XML nesting deeper than " + std::to_string(limits_.max_depth));
        }
        if (++elements_ > limits_.max_elements) {
            throw ParseError("XML has more than " + std::to_string(limits_.max_elements) +
                             " elements");
        }
        const std::size_t mark = scope_.size();
        declare(node);

        Element e;
        e.name = element_name(node.name());
        e.lang = lang;
        read_attributes(node, e);

        for (const pugi::xml_node& c : node.children()) {
            if (c.type() == pugi::node_element) {
                e.children.push_back(read(c, depth + 1, e.lang));
            } else if (is_text(c)) {
                check_chars(c.value());
                e.text += c.value();
            } else if (c.type() == pugi::node_doctype) {
                throw ParseError("DOCTYPE not allowed");
            }
        }
        if (depth > 1 || root_inner_xml_ == RootInnerXml::kKeep) {  // the root is depth 1
            e.inner_xml = inner_xml(node);
        }
        scope_.resize(mark);
        return e;
    }

private:
    static void check_chars(std::string_view s) {
        if (!valid_chars(s)) {
            throw ParseError("malformed XML: invalid UTF-8 or character not allowed in XML");
        }
    }

    /// Pushes the element's xmlns and xmlns:p attributes onto the scope.
    void declare(const pugi::xml_node& node) {
        for (const pugi::xml_attribute& a : node.attributes()) {
            const std::string_view name = a.name();
            const std::string_view uri = a.value();
            check_chars(uri);
            if (name == "xmlns") {
                if (uri == kXmlNamespace || uri == kXmlnsNamespace) {
                    throw ParseError("malformed XML: reserved namespace as default");
                }
                scope_.push_back({"", std::string(uri)});  // "" resets to no namespace
                continue;
            }
            if (!name.starts_with("xmlns:")) {
                continue;
            }
            const std::string_view prefix = split_qname(name).second;
            // Namespaces in XML 1.0 §3: prefixes cannot be undeclared, "xmlns"
            // cannot be declared, "xml" only to its own URI and nothing else to it.
            if (uri.empty()) {
                throw ParseError("malformed XML: empty namespace for prefix '" +
                                 std::string(prefix) + "'");
            }
            if (prefix == "xmlns" || uri == kXmlnsNamespace ||
                ((prefix == "xml") != (uri == kXmlNamespace))) {
                throw ParseError("malformed XML: reserved prefix or namespace misused");
            }
            if (prefix != "xml") {
                scope_.push_back({std::string(prefix), std::string(uri)});
            }
        }
    }

    /// The URI bound to `prefix` ("" is the default namespace), innermost first.
    const std::string* lookup(std::string_view prefix) const {
        for (auto it = scope_.rbegin(); it != scope_.rend(); ++it) {
            if (it->prefix == prefix) {
                return &it->uri;
            }
        }
        return nullptr;
    }

    QName element_name(std::string_view raw) const {
        check_chars(raw);
        const auto [prefix, local] = split_qname(raw);
        if (prefix.empty()) {
            const std::string* uri = lookup("");
            return {uri != nullptr ? *uri : std::string(), std::string(local)};
        }
        if (prefix == "xml") {
            return {std::string(kXmlNamespace), std::string(local)};
        }
        if (prefix == "xmlns") {
            throw ParseError("malformed XML: element with prefix xmlns");
        }
        const std::string* uri = lookup(prefix);
        if (uri == nullptr) {
            throw ParseError("undeclared namespace prefix '" + std::string(prefix) + "'");
        }
        return {*uri, std::string(local)};
    }

    void read_attributes(const pugi::xml_node& node, Element& e) const {
        for (const pugi::xml_attribute& a : node.attributes()) {
            const std::string_view raw = a.name();
            if (raw == "xmlns" || raw.starts_with("xmlns:")) {
                continue;  // declarations are not attributes (Namespaces in XML §3)
            }
            check_chars(raw);
            check_chars(a.value());
            const auto [prefix, local] = split_qname(raw);
            QName name{{}, std::string(local)};  // unprefixed: no namespace (§6.2)
            if (prefix == "xml") {
                name.ns = kXmlNamespace;
            } else if (!prefix.empty()) {
                const std::string* uri = lookup(prefix);
                if (uri == nullptr) {
                    throw ParseError("undeclared namespace prefix '" + std::string(prefix) + "'");
                }
                name.ns = *uri;
            }
            // pugixml does not reject duplicates; §6.3 forbids them after expansion too.
            for (const Attribute& seen : e.attributes) {
                if (seen.name == name) {
                    throw ParseError("malformed XML: duplicate attribute '" + std::string(raw) +
                                     "'");
                }
            }
            if (name.ns == kXmlNamespace && name.local == "lang") {
                e.lang = a.value();  // XML 1.0 §2.12; inherited by descendants
            }
            e.attributes.push_back({std::move(name), a.value()});
        }
    }

    /// Declarations in effect now, one per prefix, outermost first. The
    /// default namespace is listed only when it is not the null namespace.
    std::vector<Binding> effective_scope() const {
        std::vector<Binding> out;
        for (const Binding& b : scope_) {
            bool replaced = false;
            for (Binding& o : out) {
                if (o.prefix == b.prefix) {
                    o.uri = b.uri;
                    replaced = true;
                }
            }
            if (!replaced) {
                out.push_back(b);
            }
        }
        std::erase_if(out, [](const Binding& b) { return b.prefix.empty() && b.uri.empty(); });
        return out;
    }

    /// The content of `node`, standalone: each top-level child element gets
    /// every declaration in scope here, so prefixes used in the content (even
    /// QNames inside text or attribute values) keep their meaning when the
    /// value is stored and embedded elsewhere (RFC 4918 §4.3 dead properties).
    std::string inner_xml(const pugi::xml_node& node) const {
        std::string out;
        std::vector<Binding> scope;
        bool scope_ready = false;
        for (const pugi::xml_node& c : node.children()) {
            if (c.type() == pugi::node_element) {
                if (!scope_ready) {
                    scope = effective_scope();
                    scope_ready = true;
                }
                serialize(c, &scope, out);
            } else if (is_text(c)) {
                out += escape(c.value());
            }
        }
        return out;
    }

    const Limits& limits_;
    const RootInnerXml root_inner_xml_;
    std::vector<Binding> scope_;
    std::size_t elements_ = 0;
};

}  // namespace

Element parse(std::string_view document, const Limits& limits, RootInnerXml root_inner_xml) {
    // Entity declarations are the whole attack surface of billion laughs and
    // XXE; WebDAV bodies never need them, so refuse before parsing at all.
    if (document.find("<!ENTITY") != std::string_view::npos) {
        throw ParseError("DOCTYPE not allowed");
    }
    if (document.find_first_not_of(" \t\r\n") == std::string_view::npos) {
        throw ParseError("empty XML body");
    }
    pugi::xml_document doc;
    // parse_fragment keeps top-level text visible so "x<a/>" can be refused;
    // parse_doctype keeps the DOCTYPE as a node so it can be refused;
    // parse_ws_pcdata keeps whitespace-only text so inner_xml round-trips.
    constexpr unsigned kFlags = pugi::parse_default | pugi::parse_doctype |
                                pugi::parse_ws_pcdata | pugi::parse_fragment;
    const pugi::xml_parse_result result =
        doc.load_buffer(document.data(), document.size(), kFlags, pugi::encoding_auto);
    if (!result) {
        throw ParseError(std::string("malformed XML: ") + result.description() + " at offset " +
                         std::to_string(result.offset));
    }
    pugi::xml_node root;
    for (const pugi::xml_node& n : doc.children()) {
        switch (n.type()) {
            case pugi::node_doctype:
                throw ParseError("DOCTYPE not allowed");
            case pugi::node_element:
                if (root) {
                    throw ParseError("malformed XML: more than one root element");
                }
                root = n;
                break;
            case pugi::node_pcdata: {
                const std::string_view v = n.value();
                if (v.find_first_not_of(" \t\r\n") != std::string_view::npos) {
                    throw ParseError("malformed XML: text outside the root element");
                }
                break;
            }
            case pugi::node_cdata:
                throw ParseError("malformed XML: CDATA outside the root element");
            default:
                break;  // declaration, comments, processing instructions
        }
    }
    if (!root) {
        throw ParseError("malformed XML: no root element");
    }
    Resolver resolver(limits, root_inner_xml);
    return resolver.read(root, 1, std::string());
}

}  // namespace cosmo::xml
