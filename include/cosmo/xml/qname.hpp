#pragma once
/// Namespace-qualified XML names and the namespaces Cosmo speaks.

#include <compare>
#include <string>
#include <string_view>

namespace cosmo::xml {

namespace ns {
inline constexpr std::string_view kDav = "DAV:";
inline constexpr std::string_view kCalDav = "urn:ietf:params:xml:ns:caldav";
inline constexpr std::string_view kCalendarServer = "http://calendarserver.org/ns/";
inline constexpr std::string_view kAppleIcal = "http://apple.com/ns/ical/";
}  // namespace ns

/// {namespace}local. An empty ns is the null namespace (xmlns="").
struct QName {
    std::string ns;
    std::string local;

    auto operator<=>(const QName&) const = default;
    bool operator==(const QName&) const = default;

    /// "{ns}local", for logs and map keys.
    std::string clark() const { return "{" + ns + "}" + local; }
};

inline QName dav(std::string_view local) { return {std::string(ns::kDav), std::string(local)}; }
inline QName caldav(std::string_view local) {
    return {std::string(ns::kCalDav), std::string(local)};
}

}  // namespace cosmo::xml
