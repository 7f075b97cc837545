/// URL parsing and href building over Boost.URL.

#include "cosmo/dav/target.hpp"

#include <algorithm>
#include <vector>

#include <boost/url/encode.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/pct_string_view.hpp>
#include <boost/url/rfc/pchars.hpp>

#include "cosmo/dav/error.hpp"

namespace cosmo::dav {

namespace {

namespace urls = boost::urls;

bool iequals_ascii(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
        if (x != y) {
            return false;
        }
    }
    return true;
}

/// Decodes one encoded segment and applies the checks of the brief: no
/// encoded '/', no NUL, valid UTF-8, no dot segments.
std::string decode_segment(std::string_view encoded) {
    if (encoded.find('%') == std::string_view::npos) {
        // Nothing to decode (the common case: every href Cosmo writes for
        // an ASCII name). encoded_path_of let only pchars through, so no
        // NUL and nothing that is not UTF-8.
        if (encoded == "." || encoded == "..") {
            throw DavError::bad_request("Dot segments are not allowed in the request target");
        }
        return std::string(encoded);
    }
    for (std::size_t i = 0; i + 2 < encoded.size(); ++i) {
        if (encoded[i] == '%' && iequals_ascii(encoded.substr(i, 3), "%2f")) {
            throw DavError::bad_request("Encoded '/' in a path segment");
        }
    }
    auto pct = urls::make_pct_string_view(encoded);
    if (!pct) {
        throw DavError::bad_request("Invalid percent-encoding in the request target");
    }
    std::string decoded = pct->decode();
    if (decoded.find('\0') != std::string::npos) {
        throw DavError::bad_request("NUL in the request target");
    }
    if (!valid_utf8(decoded)) {
        throw DavError::bad_request("Request target is not UTF-8");
    }
    if (decoded == "." || decoded == "..") {
        throw DavError::bad_request("Dot segments are not allowed in the request target");
    }
    return decoded;
}

/// The encoded path of a target in origin-form or absolute-form.
std::string encoded_path_of(std::string_view target) {
    if (target.empty()) {
        throw DavError::bad_request("Empty request target");
    }
    if (target.front() == '/') {
        // Nearly every target, and every href Cosmo writes, is a path of
        // pchars and '/' only: that is a valid origin-form whose encoded
        // path is the target itself, so Boost.URL's full parse (a few
        // thousand instructions, fifty times in a multiget) is not needed.
        // ('%' is not a pchar: percent-encoded targets take the parser.)
        if (std::all_of(target.begin(), target.end(),
                        [](char c) { return c == '/' || urls::pchars(c); })) {
            return std::string(target);
        }
        auto r = urls::parse_origin_form(target);
        if (!r) {
            throw DavError::bad_request("Malformed request target");
        }
        return std::string(r->encoded_path());
    }
    auto r = urls::parse_absolute_uri(target);
    if (!r) {
        throw DavError::bad_request("Request target is neither a path nor an absolute URL");
    }
    std::string path(r->encoded_path());
    return path.empty() ? "/" : path;
}

}  // namespace

bool valid_utf8(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        std::size_t len = 0;
        std::uint32_t cp = 0;
        if (c < 0x80) {
            ++i;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            len = 2;
            cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            len = 3;
            cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            len = 4;
            cp = c & 0x07;
        } else {
            return false;
        }
        if (i + len > s.size()) {
            return false;
        }
        for (std::size_t k = 1; k < len; ++k) {
            const auto cc = static_cast<unsigned char>(s[i + k]);
            if ((cc & 0xC0) != 0x80) {
                return false;
            }
            cp = (cp << 6) | (cc & 0x3F);
        }
        if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
            cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
            return false;
        }
        i += len;
    }
    return true;
}

std::optional<Target> parse_target(std::string_view raw, std::string_view prefix) {
    if (raw.find('#') != std::string_view::npos) {
        throw DavError::bad_request("A fragment is not allowed in the request target");
    }
    const std::string path = encoded_path_of(raw);
    // The prefix is compared in encoded form, on a segment boundary.
    std::string_view rest(path);
    if (!prefix.empty()) {
        if (rest.substr(0, prefix.size()) != prefix) {
            return std::nullopt;
        }
        rest.remove_prefix(prefix.size());
        if (rest.empty()) {
            rest = "/";
        }
        if (rest.front() != '/') {
            return std::nullopt;
        }
    }
    Target t;
    t.trailing_slash = rest.size() > 1 && rest.back() == '/';
    std::vector<std::string> segs;
    std::size_t pos = 1;
    while (pos <= rest.size()) {
        std::size_t next = rest.find('/', pos);
        if (next == std::string_view::npos) {
            next = rest.size();
        }
        std::string_view seg = rest.substr(pos, next - pos);
        if (!seg.empty()) {  // "//" and the trailing "/" add no segment
            segs.push_back(decode_segment(seg));
        }
        pos = next + 1;
    }
    const std::size_t n = segs.size();
    if (n == 0) {
        t.kind = NodeKind::kRoot;
        return t;
    }
    if (segs[0] == ".well-known") {
        if (n == 2 && segs[1] == "caldav") {
            t.kind = NodeKind::kWellKnown;
            return t;
        }
        return std::nullopt;
    }
    const bool principals = segs[0] == "principals";
    const bool calendars = segs[0] == "calendars";
    if (!principals && !calendars) {
        return std::nullopt;
    }
    if (n == 1) {
        t.kind = principals ? NodeKind::kPrincipals : NodeKind::kCalendars;
        return t;
    }
    if (segs[1] != "users") {
        return std::nullopt;
    }
    if (n == 2) {
        t.kind = principals ? NodeKind::kPrincipalUsers : NodeKind::kCalendarUsers;
        return t;
    }
    t.user = segs[2];
    if (principals) {
        if (n != 3) {
            return std::nullopt;
        }
        t.kind = NodeKind::kPrincipal;
        return t;
    }
    t.kind = NodeKind::kStore;
    for (std::size_t i = 3; i < n; ++i) {
        if (i > 3) {
            t.path += '/';
        }
        t.path += segs[i];
    }
    if (n == 3) {
        t.trailing_slash = true;  // the home is always a collection
    }
    return t;
}

namespace {

/// Appends seg percent-encoded as one path segment: as it is when every
/// byte is a pchar (most names), so the common case costs one scan.
void append_encoded_segment(std::string& out, std::string_view seg) {
    if (std::all_of(seg.begin(), seg.end(), [](char c) { return urls::pchars(c); })) {
        out += seg;
    } else {
        out += urls::encode(seg, urls::pchars);
    }
}

/// Appends a decoded path percent-encoded segment by segment ('/' kept).
void append_encoded_path(std::string& out, std::string_view decoded) {
    std::size_t pos = 0;
    while (true) {
        const std::size_t next = decoded.find('/', pos);
        append_encoded_segment(out, decoded.substr(pos, next == std::string_view::npos
                                                            ? std::string_view::npos
                                                            : next - pos));
        if (next == std::string_view::npos) {
            break;
        }
        out += '/';
        pos = next + 1;
    }
}

}  // namespace

std::string encode_path(std::string_view decoded) {
    std::string out;
    out.reserve(decoded.size() + 8);
    append_encoded_path(out, decoded);
    return out;
}

std::string virtual_href(std::string_view prefix, NodeKind kind) {
    std::string p(prefix);
    switch (kind) {
        case NodeKind::kPrincipals: return p + "/principals/";
        case NodeKind::kPrincipalUsers: return p + "/principals/users/";
        case NodeKind::kCalendars: return p + "/calendars/";
        case NodeKind::kCalendarUsers: return p + "/calendars/users/";
        case NodeKind::kWellKnown: return p + "/.well-known/caldav";
        default: return p + "/";
    }
}

std::string principal_href(std::string_view prefix, std::string_view user) {
    std::string href = std::string(prefix) + "/principals/users/";
    append_encoded_segment(href, user);
    return href + "/";
}

std::string store_href(std::string_view prefix, std::string_view user, std::string_view path) {
    // The user name is one segment even if it held a '/'.
    std::string href;
    href.reserve(prefix.size() + 17 + user.size() + 1 + path.size() + 8);
    href += prefix;
    href += "/calendars/users/";
    append_encoded_segment(href, user);
    href += '/';
    append_encoded_path(href, path);
    return href;
}

}  // namespace cosmo::dav
