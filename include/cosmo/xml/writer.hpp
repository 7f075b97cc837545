#pragma once
/// Builds XML response bodies (multistatus, error, lockdiscovery, ...).
/// Fixed prefixes for the well-known namespaces (D: C: CS: ICAL:); any other
/// namespace gets a generated prefix declared on the element that uses it.

#include <string>
#include <string_view>
#include <vector>

#include "cosmo/xml/qname.hpp"

namespace cosmo::xml {

class Writer {
public:
    /// Starts a document with the XML declaration.
    Writer();

    /// Opens an element. The first element written declares D:, C:, CS:
    /// and ICAL: so nested elements use them freely.
    Writer& start(const QName& name);
    /// Attribute on the element just opened (before any content).
    Writer& attribute(std::string_view name, std::string_view value);
    Writer& end();
    /// <name/> (or <name>text</name> when text is not empty).
    Writer& leaf(const QName& name, std::string_view text = {});
    /// Escaped character data.
    Writer& text(std::string_view text);
    /// Already-serialized XML (e.g. a stored dead property value); must be
    /// well-formed and self-contained.
    Writer& raw(std::string_view xml);

    /// Closes open elements and returns the document.
    std::string finish();

private:
    struct Open {
        std::string tag;
    };
    void close_start_tag();
    std::string prefix_for(const std::string& ns, std::string& declarations);

    std::string out_;
    std::vector<Open> open_;
    bool start_tag_open_ = false;
    bool root_written_ = false;
    int generated_prefixes_ = 0;
};

/// Escapes &, <, >, " for text and attribute values.
std::string escape(std::string_view text);
/// escape() plus tab and newlines as character references, so an attribute
/// value survives attribute-value normalization (XML 1.0 §3.3.3).
std::string escape_attribute(std::string_view value);

}  // namespace cosmo::xml
