#include "multistatus.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <cstring>

namespace cosmo::loadtest {

namespace {

struct Element {
    std::size_t inner_begin = 0;
    std::size_t inner_end = 0;
    std::size_t end = 0;  // one past the closing tag
};

// Next element whose local name is `local`, at or after `pos`.
std::optional<Element> next_element(std::string_view xml, std::string_view local,
                                    std::size_t pos) {
    while (true) {
        pos = xml.find('<', pos);
        if (pos == std::string_view::npos || pos + 1 >= xml.size()) {
            return std::nullopt;
        }
        const char c = xml[pos + 1];
        if (c == '!') {
            const bool cdata = xml.substr(pos, 9) == "<![CDATA[";
            const std::size_t close = xml.find(cdata ? "]]>" : ">", pos);
            if (close == std::string_view::npos) {
                return std::nullopt;
            }
            pos = close + 1;
            continue;
        }
        if (c == '/' || c == '?') {
            ++pos;
            continue;
        }
        std::size_t name_end = pos + 1;
        while (name_end < xml.size() && !std::isspace(static_cast<unsigned char>(xml[name_end])) &&
               xml[name_end] != '>' && xml[name_end] != '/') {
            ++name_end;
        }
        const std::string_view qname = xml.substr(pos + 1, name_end - pos - 1);
        const std::size_t colon = qname.find(':');
        const std::string_view name =
            colon == std::string_view::npos ? qname : qname.substr(colon + 1);
        const std::size_t tag_end = xml.find('>', name_end);
        if (tag_end == std::string_view::npos) {
            return std::nullopt;
        }
        if (name != local) {
            pos = tag_end + 1;
            continue;
        }
        if (xml[tag_end - 1] == '/') {
            return Element{tag_end + 1, tag_end + 1, tag_end + 1};
        }
        const std::string closing = "</" + std::string(qname);
        std::size_t search = tag_end + 1;
        while (true) {
            const std::size_t close = xml.find(closing, search);
            if (close == std::string_view::npos) {
                return std::nullopt;
            }
            const std::size_t after = close + closing.size();
            if (after < xml.size() &&
                (xml[after] == '>' || std::isspace(static_cast<unsigned char>(xml[after])))) {
                const std::size_t gt = xml.find('>', after);
                return Element{tag_end + 1, close, gt == std::string_view::npos ? xml.size() : gt + 1};
            }
            search = after;
        }
    }
}

bool is_xml_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// Plain loops, not find_first_not_of and friends: libstdc++ calls memchr
// once per character for those, which was a quarter of the client's time
// on a sync-initial.
std::string_view trimmed(std::string_view s) {
    std::size_t first = 0, last = s.size();
    while (first < last && is_xml_space(s[first])) {
        ++first;
    }
    while (last > first && is_xml_space(s[last - 1])) {
        --last;
    }
    return s.substr(first, last - first);
}

std::string trim(std::string s) {
    const std::string_view t = trimmed(s);
    const auto first = static_cast<std::size_t>(t.data() - s.data());
    s.erase(first + t.size());
    s.erase(0, first);
    return s;
}

int status_code(std::string_view line) {
    // "HTTP/1.1 404 Not Found"
    const std::size_t sp = line.find(' ');
    if (sp == std::string_view::npos) {
        return 0;
    }
    return std::atoi(std::string(line.substr(sp + 1, 3)).c_str());
}

}  // namespace

namespace {

// Decodes the reference starting at t[i] == '&' into out; returns the index
// after it. Not a reference (no ';'), or one we do not know: copied as is.
std::size_t append_reference(std::string& out, std::string_view t, std::size_t i) {
    const std::size_t semi = t.find(';', i);
    if (semi == std::string_view::npos) {
        out += t[i];
        return i + 1;
    }
    const std::string_view ent = t.substr(i + 1, semi - i - 1);
    if (ent == "lt") {
        out += '<';
    } else if (ent == "gt") {
        out += '>';
    } else if (ent == "amp") {
        out += '&';
    } else if (ent == "quot") {
        out += '"';
    } else if (ent == "apos") {
        out += '\'';
    } else if (!ent.empty() && ent[0] == '#') {
        const bool hex = ent.size() > 1 && (ent[1] == 'x' || ent[1] == 'X');
        const std::string_view digits = ent.substr(hex ? 2 : 1);
        unsigned long cp = 0;
        const auto [end, ec] =
            std::from_chars(digits.data(), digits.data() + digits.size(), cp, hex ? 16 : 10);
        if (ec != std::errc() || end != digits.data() + digits.size()) {
            out.append(t.substr(i, semi - i + 1));  // not a character reference: as is
        } else if (cp < 0x80) {
            out += static_cast<char>(cp);
        } else {
            out += '?';  // non-ASCII never occurs in seeded data
        }
    } else {
        out.append(t.substr(i, semi - i + 1));
    }
    return semi + 1;
}

}  // namespace

std::string xml_unescape(std::string_view t) {
    std::string out;
    out.reserve(t.size());
    for (std::size_t i = 0; i < t.size();) {
        // Copy the run up to the next markup in one go. Two memchr scans
        // (the second bounded by the first) instead of a loop per byte or
        // find_first_of, which calls memchr once per byte: a multistatus
        // of 50 bodies has an "&#13;" every line, and this loop was the
        // load client's largest cost (docs/performance.md, session 11).
        const char* base = t.data();
        const auto* amp = static_cast<const char*>(std::memchr(base + i, '&', t.size() - i));
        const std::size_t amp_at = amp == nullptr ? t.size() : static_cast<std::size_t>(amp - base);
        const auto* lt = static_cast<const char*>(std::memchr(base + i, '<', amp_at - i));
        const std::size_t stop = lt == nullptr ? amp_at : static_cast<std::size_t>(lt - base);
        if (stop != i) {
            out.append(t.substr(i, stop - i));
            i = stop;
            continue;
        }
        if (t.compare(i, 9, "<![CDATA[") == 0) {
            const std::size_t end = t.find("]]>", i + 9);
            const std::size_t stop = end == std::string_view::npos ? t.size() : end;
            out.append(t.substr(i + 9, stop - i - 9));
            i = end == std::string_view::npos ? t.size() : end + 3;
            continue;
        }
        if (t[i] != '&') {
            out += t[i++];
            continue;
        }
        i = append_reference(out, t, i);
    }
    return out;
}

std::string xml_escape(std::string_view t) {
    std::string out;
    for (char c : t) {
        switch (c) {
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '&':
                out += "&amp;";
                break;
            case '"':
                out += "&quot;";
                break;
            default:
                out += c;
        }
    }
    return out;
}

std::string normalize_href(std::string_view href) {
    const std::size_t scheme = href.find("://");
    if (scheme != std::string_view::npos) {
        const std::size_t path = href.find('/', scheme + 3);
        href = path == std::string_view::npos ? "/" : href.substr(path);
    }
    // Runs between escapes are copied whole: a sync-initial answer has a
    // thousand hrefs, and a byte at a time was a fifth of the client's time.
    std::string out;
    out.reserve(href.size());
    std::size_t i = 0;
    while (i < href.size()) {
        const std::size_t pct = href.find('%', i);
        const std::size_t stop = pct == std::string_view::npos ? href.size() : pct;
        out.append(href.substr(i, stop - i));
        i = stop;
        if (i == href.size()) {
            break;
        }
        if (i + 2 < href.size()) {
            unsigned value = 0;
            const auto [end, ec] = std::from_chars(href.data() + i + 1, href.data() + i + 3, value, 16);
            if (ec == std::errc() && end == href.data() + i + 3) {
                out += static_cast<char>(value);
                i += 3;
                continue;
            }
        }
        out += href[i++];
    }
    return out;
}

std::optional<std::string> element_text(std::string_view xml, std::string_view local) {
    const auto e = next_element(xml, local, 0);
    if (!e) {
        return std::nullopt;
    }
    return trim(xml_unescape(xml.substr(e->inner_begin, e->inner_end - e->inner_begin)));
}

namespace {

// Whether c may continue a tag name: one table lookup per byte, since a
// listing's thousand responses hold about twelve tags each.
constexpr std::array<bool, 256> kNameChars = [] {
    std::array<bool, 256> t{};
    t.fill(true);
    for (const unsigned char stop : {'>', '/', ' ', '\t', '\n', '\r'}) {
        t[stop] = false;
    }
    return t;
}();

bool is_name_char(char c) { return kNameChars[static_cast<unsigned char>(c)]; }

// The text of the element whose start tag ends at `content` (one past its
// '>'), up to its end tag "</qname"; npos end when the end tag is missing.
// Only the few elements we read are searched, and their content is short.
std::pair<std::string_view, std::size_t> element_content(std::string_view x,
                                                          std::string_view qname,
                                                          std::size_t content) {
    std::size_t search = content;
    while (true) {
        const std::size_t close = x.find(qname, search);
        if (close == std::string_view::npos) {
            return {{}, std::string_view::npos};
        }
        if (close >= content + 2 && x[close - 1] == '/' && x[close - 2] == '<' &&
            close + qname.size() < x.size() && !is_name_char(x[close + qname.size()])) {
            const std::size_t gt = x.find('>', close);
            return {x.substr(content, close - 2 - content),
                    gt == std::string_view::npos ? x.size() : gt + 1};
        }
        search = close + 1;
    }
}

// The trimmed, unescaped text of an element's content. Most contents
// (hrefs, statuses) have no markup: they are copied once, without the
// unescaping pass and the second copy of trim().
std::string element_text_of(std::string_view content) {
    const std::string_view inner = trimmed(content);
    // Short texts (an href, a quoted ETag) are copied or decoded into one
    // string, runs found with memchr; only CDATA, which they never hold,
    // takes xml_unescape (entities never contain white space, so unescaping
    // the trimmed text and trimming again equals unescaping it all).
    if (std::memchr(inner.data(), '<', inner.size()) != nullptr) {
        return trim(xml_unescape(inner));
    }
    std::string out;
    out.reserve(inner.size());
    for (std::size_t i = 0; i < inner.size();) {
        const auto* amp =
            static_cast<const char*>(std::memchr(inner.data() + i, '&', inner.size() - i));
        const std::size_t run_end =
            amp == nullptr ? inner.size() : static_cast<std::size_t>(amp - inner.data());
        out.append(inner.substr(i, run_end - i));
        if (amp == nullptr) {
            break;
        }
        i = append_reference(out, inner, run_end);
    }
    return trim(std::move(out));
}

}  // namespace

// One pass over the tags (the client must not cost more than the server it
// measures): text between tags is skipped with memchr, and only the elements
// we read are searched for their end tag.
Multistatus parse_multistatus(std::string_view x) {
    Multistatus ms;
    ms.responses.reserve(x.size() / 256);  // a listing's response is about 280 bytes
    MsResponse cur;
    bool in_response = false, in_propstat = false;
    bool href = false, status = false, etag = false, ctag = false, token = false, data = false;
    std::size_t pos = 0;
    // Most tags follow the previous one directly and carry no attributes:
    // the '<' and the '>' are looked at before a memchr is called for them
    // (the calls were a third of the client's time on a sync-initial).
    const auto next_lt = [&x](std::size_t from) {
        return from < x.size() && x[from] == '<' ? from : x.find('<', from);
    };
    while ((pos = next_lt(pos)) != std::string_view::npos && pos + 1 < x.size()) {
        const char c = x[pos + 1];
        if (c == '!' || c == '?') {
            const bool cdata = x.compare(pos, 9, "<![CDATA[") == 0;
            const std::size_t close = x.find(cdata ? "]]>" : ">", pos);
            if (close == std::string_view::npos) {
                break;
            }
            pos = close + 1;
            continue;
        }
        const bool end_tag = c == '/';
        const std::size_t name_begin = pos + (end_tag ? 2 : 1);
        std::size_t name_end = name_begin;
        while (name_end < x.size() && is_name_char(x[name_end])) {
            ++name_end;
        }
        const std::size_t tag_end =
            name_end < x.size() && x[name_end] == '>' ? name_end : x.find('>', name_end);
        if (tag_end == std::string_view::npos) {
            break;
        }
        const std::string_view qname = x.substr(name_begin, name_end - name_begin);
        const std::size_t colon = qname.find(':');
        const std::string_view name =
            colon == std::string_view::npos ? qname : qname.substr(colon + 1);
        pos = tag_end + 1;
        if (end_tag) {
            if (name == "response" && in_response) {
                cur.has_calendar_data = !cur.calendar_data.empty();
                ms.responses.push_back(std::move(cur));
                cur = MsResponse{};
                in_response = false;
            } else if (name == "propstat") {
                in_propstat = false;
            }
            continue;
        }
        const bool empty = x[tag_end - 1] == '/';
        if (name == "multistatus") {
            ms.ok = true;
            continue;
        }
        if (!ms.ok) {
            continue;
        }
        if (name == "response") {
            in_response = !empty;
            in_propstat = false;
            href = status = etag = ctag = token = data = false;
            continue;
        }
        if (name == "propstat") {
            in_propstat = !empty;
            continue;
        }
        std::string* target = nullptr;
        bool* seen = nullptr;
        std::string status_text;
        if (!in_response) {
            if (name == "sync-token" && ms.sync_token.empty()) {
                target = &ms.sync_token;
            }
        } else if (name == "href" && !href) {
            seen = &href;
            target = &status_text;
        } else if (name == "status" && !status) {
            seen = &status;
            target = &status_text;
        } else if (name == "getetag" && !etag) {
            seen = &etag;
            target = &cur.etag;
        } else if (name == "getctag" && !ctag) {
            seen = &ctag;
            target = &cur.ctag;
        } else if (name == "sync-token" && !token) {
            seen = &token;
            target = &cur.sync_token;
        } else if (name == "calendar-data" && !data) {
            seen = &data;
            target = &cur.calendar_data;
        }
        if (target == nullptr) {
            continue;
        }
        if (seen != nullptr) {
            *seen = true;
        }
        if (empty) {
            continue;
        }
        const auto [content, after] = element_content(x, qname, pos);
        if (after == std::string_view::npos) {
            break;
        }
        if (seen == &status) {
            // A response-level status sits outside any propstat (RFC 4918 §14.24).
            if (!in_propstat) {
                cur.status = status_code(element_text_of(content));
            }
        } else if (seen == &href) {
            std::string text = element_text_of(content);
            // Most hrefs are already a plain path: kept without a second copy.
            const bool plain = text.find('%') == std::string::npos &&
                               text.find("://") == std::string::npos;
            cur.href = plain ? std::move(text) : normalize_href(text);
        } else {
            *target = element_text_of(content);
        }
        pos = after;
    }
    return ms;
}

namespace {

// RFC 5545 §3.3.6 durations as used in periods: [+]P[nW][nD][T[nH][nM][nS]].
std::optional<std::int64_t> parse_duration(std::string_view d) {
    if (!d.empty() && d[0] == '+') {
        d.remove_prefix(1);
    }
    if (d.empty() || d[0] != 'P') {
        return std::nullopt;
    }
    std::int64_t total = 0;
    std::int64_t n = 0;
    bool in_time = false;
    for (std::size_t i = 1; i < d.size(); ++i) {
        const char c = d[i];
        if (c >= '0' && c <= '9') {
            n = n * 10 + (c - '0');
            continue;
        }
        switch (c) {
            case 'T':
                in_time = true;
                break;
            case 'W':
                total += n * 7 * 86400;
                break;
            case 'D':
                total += n * 86400;
                break;
            case 'H':
                total += n * 3600;
                break;
            case 'M':
                if (!in_time) {
                    return std::nullopt;
                }
                total += n * 60;
                break;
            case 'S':
                total += n;
                break;
            default:
                return std::nullopt;
        }
        n = 0;
    }
    return total;
}

}  // namespace

std::optional<std::vector<Interval>> parse_freebusy(std::string_view ical) {
    // Unfold (RFC 5545 §3.1) first.
    std::string text;
    text.reserve(ical.size());
    for (std::size_t i = 0; i < ical.size(); ++i) {
        if (ical[i] == '\r') {
            continue;
        }
        if (ical[i] == '\n' && i + 1 < ical.size() && (ical[i + 1] == ' ' || ical[i + 1] == '\t')) {
            ++i;
            continue;
        }
        text += ical[i];
    }
    if (text.find("BEGIN:VFREEBUSY") == std::string::npos) {
        return std::nullopt;
    }
    std::vector<Interval> out;
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t eol = text.find('\n', pos);
        if (eol == std::string::npos) {
            eol = text.size();
        }
        const std::string_view ln(text.data() + pos, eol - pos);
        pos = eol + 1;
        if (ln.substr(0, 8) != "FREEBUSY" || (ln.size() > 8 && ln[8] != ':' && ln[8] != ';')) {
            continue;
        }
        const std::size_t colon = ln.find(':');
        if (colon == std::string_view::npos) {
            return std::nullopt;
        }
        const std::string_view params = ln.substr(8, colon - 8);
        const std::size_t fb = params.find("FBTYPE=");
        if (fb != std::string_view::npos && params.substr(fb + 7, 4) != "BUSY") {
            continue;  // FREE periods are not busy time
        }
        std::string_view values = ln.substr(colon + 1);
        while (!values.empty()) {
            const std::size_t comma = values.find(',');
            const std::string_view period = values.substr(0, comma);
            values = comma == std::string_view::npos ? "" : values.substr(comma + 1);
            const std::size_t slash = period.find('/');
            if (slash == std::string_view::npos) {
                return std::nullopt;
            }
            const std::int64_t s = parse_utc(period.substr(0, slash));
            const std::string_view rest = period.substr(slash + 1);
            std::int64_t e = -1;
            if (!rest.empty() && (rest[0] == 'P' || rest[0] == '+')) {
                const auto d = parse_duration(rest);
                e = d ? s + *d : -1;
            } else {
                e = parse_utc(rest);
            }
            if (s < 0 || e < s) {
                return std::nullopt;
            }
            out.push_back({s, e});
        }
    }
    return out;
}

}  // namespace cosmo::loadtest
