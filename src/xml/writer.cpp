/// xml::Writer: response bodies with fixed prefixes for the namespaces Cosmo
/// speaks, so every multistatus looks the same to clients and in tests.

#include "cosmo/xml/writer.hpp"

#include <cassert>

namespace cosmo::xml {

namespace {

/// Namespaces declared once on the root, with their fixed prefixes.
struct FixedPrefix {
    std::string_view ns;
    std::string_view prefix;
};
constexpr FixedPrefix kFixedPrefixes[] = {
    {ns::kDav, "D"},
    {ns::kCalDav, "C"},
    {ns::kCalendarServer, "CS"},
    {ns::kAppleIcal, "ICAL"},
};

/// Appends `c` escaped; `attribute` adds the characters that attribute-value
/// normalization would otherwise turn into spaces.
void append_escaped(std::string& out, char c, bool attribute) {
    switch (c) {
        case '&': out += "&amp;"; return;
        case '<': out += "&lt;"; return;
        case '>': out += "&gt;"; return;  // so "]]>" can never appear in text
        case '"': out += "&quot;"; return;
        case '\r': out += "&#13;"; return;  // parsers turn a raw CR into LF (XML 1.0 §2.11)
        case '\t': out += attribute ? "&#9;" : "\t"; return;
        case '\n': out += attribute ? "&#10;" : "\n"; return;
        default: break;
    }
    if (static_cast<unsigned char>(c) < 0x20) {
        // XML 1.0 §2.2 has no way to carry C0 controls, not even as a
        // reference; U+FFFD keeps the document well-formed for the client.
        out += "\xEF\xBF\xBD";
        return;
    }
    out += c;  // bytes >= 0x80 pass through: output is UTF-8 unchanged
}

std::string escape_impl(std::string_view text, bool attribute) {
    std::string out;
    out.reserve(text.size() + text.size() / 8);
    for (const char c : text) {
        append_escaped(out, c, attribute);
    }
    return out;
}

}  // namespace

std::string escape(std::string_view text) { return escape_impl(text, false); }

std::string escape_attribute(std::string_view value) { return escape_impl(value, true); }

Writer::Writer() : out_("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n") {}

std::string Writer::prefix_for(const std::string& ns, std::string& declarations) {
    if (ns.empty()) {
        // The writer never declares a default namespace, so an unprefixed
        // name is already in no namespace; raw() content scopes its own.
        return {};
    }
    for (const FixedPrefix& f : kFixedPrefixes) {
        if (f.ns == ns) {
            return std::string(f.prefix);
        }
    }
    std::string prefix = "x" + std::to_string(generated_prefixes_++);
    declarations += " xmlns:" + prefix + "=\"" + escape_attribute(ns) + "\"";
    return prefix;
}

Writer& Writer::start(const QName& name) {
    close_start_tag();
    std::string declarations;
    if (!root_written_) {
        for (const FixedPrefix& f : kFixedPrefixes) {
            declarations += " xmlns:" + std::string(f.prefix) + "=\"" + std::string(f.ns) + "\"";
        }
        root_written_ = true;
    }
    const std::string prefix = prefix_for(name.ns, declarations);
    std::string tag = prefix.empty() ? name.local : prefix + ":" + name.local;
    out_ += '<';
    out_ += tag;
    out_ += declarations;
    open_.push_back({std::move(tag)});
    start_tag_open_ = true;
    return *this;
}

Writer& Writer::attribute(std::string_view name, std::string_view value) {
    assert(start_tag_open_ && "Writer::attribute after content");
    if (!start_tag_open_) {
        return *this;
    }
    out_ += ' ';
    out_ += name;
    out_ += "=\"";
    out_ += escape_attribute(value);
    out_ += '"';
    return *this;
}

Writer& Writer::end() {
    assert(!open_.empty() && "Writer::end without start");
    if (open_.empty()) {
        return *this;
    }
    if (start_tag_open_) {
        out_ += "/>";
        start_tag_open_ = false;
    } else {
        out_ += "</";
        out_ += open_.back().tag;
        out_ += '>';
    }
    open_.pop_back();
    return *this;
}

Writer& Writer::leaf(const QName& name, std::string_view text) {
    start(name);
    if (!text.empty()) {
        this->text(text);
    }
    return end();
}

Writer& Writer::text(std::string_view text) {
    close_start_tag();
    out_ += escape(text);
    return *this;
}

Writer& Writer::raw(std::string_view xml) {
    close_start_tag();
    out_ += xml;
    return *this;
}

std::string Writer::finish() {
    while (!open_.empty()) {
        end();
    }
    return std::move(out_);
}

void Writer::close_start_tag() {
    if (start_tag_open_) {
        out_ += '>';
        start_tag_open_ = false;
    }
}

}  // namespace cosmo::xml
