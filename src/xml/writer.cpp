/// xml::Writer: response bodies with fixed prefixes for the namespaces Cosmo
/// speaks, so every multistatus looks the same to clients and in tests.

#include "cosmo/xml/writer.hpp"

#include <cassert>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

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

/// Whether byte c must be replaced in text (`attribute`: in an attribute).
inline bool needs_escape(unsigned char c, bool attribute) {
    switch (c) {
        case '&': case '<': case '>': case '"': case '\r': return true;
        case '\t': case '\n': return attribute;
        default: return c < 0x20;
    }
}

/// Writes the replacement of one byte that needs_escape() flagged at `to`
/// (room for kLongestReplacement bytes) and returns its length. A tab or a
/// line feed is flagged only in an attribute, where value normalization
/// would otherwise turn it into a space.
inline std::size_t write_replacement(char* to, char c) {
    const auto put = [to](std::string_view s) {
        std::memcpy(to, s.data(), s.size());
        return s.size();
    };
    switch (c) {
        case '&': return put("&amp;");
        case '<': return put("&lt;");
        case '>': return put("&gt;");  // so "]]>" can never appear in text
        case '"': return put("&quot;");
        case '\r': return put("&#13;");  // parsers turn a raw CR into LF (XML 1.0 §2.11)
        case '\t': return put("&#9;");
        case '\n': return put("&#10;");
        default: break;
    }
    // XML 1.0 §2.2 has no way to carry C0 controls, not even as a
    // reference; U+FFFD keeps the document well-formed for the client.
    return put("\xEF\xBF\xBD");
}

constexpr std::size_t kLongestReplacement = 6;  // "&quot;"

#if defined(__SSE2__)
/// Bit i set where byte i of v needs escaping: the same test as
/// needs_escape(), sixteen bytes at a time.
inline unsigned escape_mask16(__m128i v, bool attribute) {
    // Unsigned v <= 0x1F: the C0 controls, CR among them.
    __m128i special = _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1F)), v);
    if (!attribute) {  // tab and line feed pass in text
        const __m128i tab_or_lf = _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('\t')),
                                               _mm_cmpeq_epi8(v, _mm_set1_epi8('\n')));
        special = _mm_andnot_si128(tab_or_lf, special);
    }
    special = _mm_or_si128(special, _mm_cmpeq_epi8(v, _mm_set1_epi8('&')));
    special = _mm_or_si128(special, _mm_cmpeq_epi8(v, _mm_set1_epi8('<')));
    special = _mm_or_si128(special, _mm_cmpeq_epi8(v, _mm_set1_epi8('>')));
    special = _mm_or_si128(special, _mm_cmpeq_epi8(v, _mm_set1_epi8('"')));
    return static_cast<unsigned>(_mm_movemask_epi8(special));
}
#endif

/// Appends text escaped (bytes >= 0x80 pass through: output is UTF-8
/// unchanged). Calendar bodies are most of what passes here, with a CR on
/// every line. The output is written through a pointer into room made
/// ahead: appending the run before each replacement and then the
/// replacement cost about 120 instructions a CR, a tenth of a multiget.
/// With SSE2, sixteen bytes are copied at a time and tested at once; the
/// copy stops at the first byte to replace, and the next one starts after.
void append_escaped_impl(std::string& out, std::string_view text, bool attribute) {
    std::size_t used = out.size();
    const char* at = text.data();
    const char* const end = at + text.size();
    // Room for the text and a replacement every eight bytes (a calendar
    // line has one CR in about 75). A denser text grows it by what its rest
    // could need at most, never by the size of the whole buffer: that holds
    // the multistatus written so far, and resize() fills new room with zeros.
    const auto make_room = [&](std::size_t need) {
        if (used + need > out.size()) {
            out.resize(used + need + static_cast<std::size_t>(end - at) * kLongestReplacement);
        }
    };
    out.resize(used + text.size() + text.size() / 8 + 16 + kLongestReplacement);
#if defined(__SSE2__)
    while (end - at >= 16) {
        make_room(16 + kLongestReplacement);
        char* const to = out.data() + used;
        const __m128i chunk = _mm_loadu_si128(reinterpret_cast<const __m128i*>(at));
        _mm_storeu_si128(reinterpret_cast<__m128i*>(to), chunk);
        const unsigned mask = escape_mask16(chunk, attribute);
        if (mask == 0) {
            at += 16;
            used += 16;
            continue;
        }
        const auto plain = static_cast<std::size_t>(__builtin_ctz(mask));
        used += plain + write_replacement(to + plain, at[plain]);
        at += plain + 1;
    }
#endif
    make_room(static_cast<std::size_t>(end - at) * kLongestReplacement);
    char* to = out.data() + used;
    for (; at < end; ++at) {
        if (needs_escape(static_cast<unsigned char>(*at), attribute)) {
            to += write_replacement(to, *at);
        } else {
            *to++ = *at;
        }
    }
    out.resize(static_cast<std::size_t>(to - out.data()));
}

std::string escape_impl(std::string_view text, bool attribute) {
    std::string out;
    out.reserve(text.size() + text.size() / 8);
    append_escaped_impl(out, text, attribute);
    return out;
}

}  // namespace

std::string escape(std::string_view text) { return escape_impl(text, false); }

std::string escape_attribute(std::string_view value) { return escape_impl(value, true); }

void append_escaped(std::string& out, std::string_view text) {
    append_escaped_impl(out, text, false);
}

Writer::Writer(std::size_t reserve) {
    out_.reserve(reserve);
    out_ = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n";
    tags_.reserve(128);
    open_.reserve(16);
}

Writer Writer::fragment(std::size_t reserve) {
    Writer w(reserve);
    w.out_.clear();
    w.root_written_ = true;  // the embedding document declares the prefixes
    return w;
}

void Writer::append_tag(const QName& name, std::string& declarations) {
    // The writer never declares a default namespace, so a name in no
    // namespace is written unprefixed; raw() content scopes its own.
    if (!name.ns.empty()) {
        bool fixed = false;
        for (const FixedPrefix& f : kFixedPrefixes) {
            if (f.ns == name.ns) {
                tags_ += f.prefix;
                fixed = true;
                break;
            }
        }
        if (!fixed) {
            const std::string prefix = "x" + std::to_string(generated_prefixes_++);
            declarations += " xmlns:" + prefix + "=\"" + escape_attribute(name.ns) + "\"";
            tags_ += prefix;
        }
        tags_ += ':';
    }
    tags_ += name.local;
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
    const std::size_t at = tags_.size();
    append_tag(name, declarations);
    out_ += '<';
    out_.append(tags_, at, std::string::npos);
    out_ += declarations;
    open_.push_back(at);
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
    append_escaped_impl(out_, value, true);
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
        out_.append(tags_, open_.back(), std::string::npos);
        out_ += '>';
    }
    tags_.resize(open_.back());
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
    append_escaped_impl(out_, text, false);
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

void Writer::take(std::string& out) {
    close_start_tag();
    if (out.empty()) {
        out.swap(out_);  // the common case: no copy
    } else {
        out += out_;
    }
    out_.clear();
}

void Writer::close_start_tag() {
    if (start_tag_open_) {
        out_ += '>';
        start_tag_open_ = false;
    }
}

}  // namespace cosmo::xml
