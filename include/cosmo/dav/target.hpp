#pragma once
/// Request targets: parsing and checking the URL a client sent (or a
/// Destination / If-header tag), mapping it onto the URL namespace of
/// DESIGN.md, and building the percent-encoded hrefs we send back.

#include <optional>
#include <string>
#include <string_view>

namespace cosmo::dav {

/// What a URL names in the namespace.
enum class NodeKind {
    kWellKnown,       ///< /.well-known/caldav
    kRoot,            ///< /
    kPrincipals,      ///< /principals/
    kPrincipalUsers,  ///< /principals/users/
    kCalendars,       ///< /calendars/
    kCalendarUsers,   ///< /calendars/users/
    kPrincipal,       ///< /principals/users/{user}/
    kStore,           ///< /calendars/users/{user}/... (the home and below)
};

/// A checked, decoded request target.
struct Target {
    NodeKind kind = NodeKind::kRoot;
    std::string user;  ///< decoded user name (kPrincipal, kStore)
    /// kStore: path relative to the home, decoded, without a trailing '/'
    /// ("" is the home itself).
    std::string path;
    bool trailing_slash = false;  ///< the URL path ended in '/'
};

/// Parses a request target in origin-form or absolute form (only the path
/// is used; the query is ignored). Throws DavError 400 for a target that is
/// malformed or carries '.'/'..' segments, an encoded '/', NUL or invalid
/// UTF-8. Returns nullopt when the path lies outside the namespace (404).
std::optional<Target> parse_target(std::string_view target, std::string_view prefix);

/// Percent-encodes each segment of a decoded path, keeping the '/'.
std::string encode_path(std::string_view decoded);

/// href of a node in the virtual part of the namespace ("/", "/principals/" ...).
std::string virtual_href(std::string_view prefix, NodeKind kind);
/// prefix + "/principals/users/{user}/".
std::string principal_href(std::string_view prefix, std::string_view user);
/// prefix + "/calendars/users/{user}/" + encoded store path (collections end in '/').
std::string store_href(std::string_view prefix, std::string_view user, std::string_view path);

/// Whether bytes are valid UTF-8 (RFC 3629: no overlongs, no surrogates).
bool valid_utf8(std::string_view bytes);

}  // namespace cosmo::dav
