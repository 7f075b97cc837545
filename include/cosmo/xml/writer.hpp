#pragma once
/// Builds XML response bodies (multistatus, error, lockdiscovery, ...).
/// Fixed prefixes for the well-known namespaces (D: C: CS: ICAL:); any other
/// namespace gets a generated prefix declared on the element that uses it.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "cosmo/xml/qname.hpp"

namespace cosmo::xml {

class Writer {
public:
    /// Starts a document with the XML declaration; `reserve` bytes are
    /// allocated up front so a typical multistatus is built in one buffer.
    explicit Writer(std::size_t reserve = 4096);

    /// A writer for part of a document written by another Writer (through
    /// raw()): no XML declaration, and the fixed prefixes are taken as
    /// declared by that document's root, so the part can be kept and
    /// embedded again (a cached listing).
    static Writer fragment(std::size_t reserve = 4096);

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

    /// Room for `more` bytes beyond what is written (one allocation for a
    /// batch whose size is known once its rows are read).
    void reserve(std::size_t more) { out_.reserve(out_.size() + more); }

    /// A mark of where the next element will start (its start tag closed
    /// first), and the bytes written since a mark: the serialization of
    /// whole elements written between the two, for a caller to keep.
    std::size_t mark() {
        close_start_tag();
        return out_.size();
    }
    std::string_view written_since(std::size_t mark) const {
        return std::string_view(out_).substr(mark);
    }

    /// Closes open elements and returns the document.
    std::string finish();
    /// Appends the document written so far to `out` and forgets it, keeping
    /// its elements open: a long document can be sent in parts, with only
    /// the part since the last take() in memory.
    void take(std::string& out);

private:
    void close_start_tag();
    /// Appends "prefix:local" of name to tags_ (a generated prefix also
    /// gets its xmlns declaration appended to declarations).
    void append_tag(const QName& name, std::string& declarations);

    std::string out_;
    /// Open element tags, back to back ("D:multistatusD:response..."):
    /// one buffer instead of one string per element.
    std::string tags_;
    std::vector<std::size_t> open_;  ///< start offset of each open tag in tags_
    bool start_tag_open_ = false;
    bool root_written_ = false;
    int generated_prefixes_ = 0;
};

/// Escapes &, <, >, " for text and attribute values.
std::string escape(std::string_view text);
/// escape() plus tab and newlines as character references, so an attribute
/// value survives attribute-value normalization (XML 1.0 §3.3.3).
std::string escape_attribute(std::string_view value);
/// Appends escape(text) to out without a temporary string.
void append_escaped(std::string& out, std::string_view text);

}  // namespace cosmo::xml
