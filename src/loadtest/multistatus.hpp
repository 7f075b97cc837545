#pragma once
// Just enough reading of server answers to validate them: a namespace-prefix
// agnostic scanner for DAV multistatus bodies (RFC 4918 §13) and a reader of
// FREEBUSY periods (RFC 5545 §3.8.2.6). Not a general XML parser: it relies
// on what a multistatus looks like (responses are not nested).

#include "model.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cosmo::loadtest {

/// One DAV:response of a multistatus.
struct MsResponse {
    std::string href;          ///< path part, percent-decoded
    int status = 0;            ///< response-level DAV:status, 0 when only propstats
    std::string etag;          ///< DAV:getetag text, empty when absent
    std::string ctag;          ///< CS:getctag text
    std::string sync_token;    ///< DAV:sync-token inside a prop (PROPFIND)
    bool has_calendar_data = false;  ///< a non-empty C:calendar-data
    std::string calendar_data;       ///< its text, unescaped
};

/// A parsed multistatus.
struct Multistatus {
    bool ok = false;                    ///< a DAV:multistatus element was found
    std::vector<MsResponse> responses;  ///< in document order
    std::string sync_token;             ///< top-level DAV:sync-token (sync-collection)
};

/// Parses a 207 body; ok is false when it is not a multistatus.
Multistatus parse_multistatus(std::string_view body);

/// Inner text of the first element named `local` (any prefix), unescaped.
std::optional<std::string> element_text(std::string_view xml, std::string_view local);

/// Decodes XML character data: entities, character references, CDATA.
std::string xml_unescape(std::string_view text);
/// Escapes text for XML character data.
std::string xml_escape(std::string_view text);

/// "/a%20b/" from "http://host:1/a%20b/" or "/a%20b/", percent-decoded.
std::string normalize_href(std::string_view href);

/// Busy periods of a VFREEBUSY answer (FBTYPE BUSY* only), or nullopt when
/// the body has no VFREEBUSY or a period does not parse.
std::optional<std::vector<Interval>> parse_freebusy(std::string_view ical);

}  // namespace cosmo::loadtest
