#pragma once
/// Shared pieces of the caldav module (not a public header): the rows each
/// file contributes to dav's registries and the helpers they share.

#include <optional>
#include <string>
#include <vector>

#include "cosmo/caldav/caldav.hpp"
#include "cosmo/dav/batches.hpp"
#include "cosmo/dav/call.hpp"
#include "cosmo/dav/error.hpp"
#include "cosmo/dav/registry.hpp"

namespace cosmo::caldav::detail {

inline xml::QName cs(std::string_view local) {
    return {std::string(xml::ns::kCalendarServer), std::string(local)};
}

/// The node is a calendar collection.
bool is_calendar(const dav::Node& node);
/// The node is a stored object whose media type is text/calendar.
bool is_calendar_object(const dav::Node& node);
/// The node is a collection of the owner's store (home, calendar, plain).
bool is_store_collection(const dav::Node& node);

/// DAV:sync-token / CS:getctag of a collection (RFC 6578 §3: a URI).
std::string sync_token(const store::Resource& collection);
/// Parses a token of ours: {collection id, revision}; nullopt if malformed.
std::optional<std::pair<std::int64_t, std::int64_t>> parse_sync_token(std::string_view token);

/// The TZID of the collection's CALDAV:calendar-timezone, "" when unset.
std::string collection_tzid(dav::Call& call, const store::Resource& collection);
/// The component names of supported-calendar-component-set (default
/// VEVENT + VTODO).
std::vector<std::string> supported_components(dav::Call& call, const store::Resource& collection);
/// The text content of a stored dead property value (inner XML).
std::string text_of(const std::string& inner_xml);
/// The TZID of the first VTIMEZONE of iCalendar text, "" when none.
std::string tzid_of(const std::string& ical_text);

/// Brief: t / Prefer: return=minimal (RFC 8144, RFC 7240).
bool wants_minimal(const dav::Call& call);
/// <D:response><D:href/><D:status/></D:response> for a resource with no props.
void write_status_response(xml::Writer& w, const std::string& href, http::Status status);
/// The 507 response for the request-URI when a report was cut at its limit
/// (RFC 6578 §3.6, RFC 5323 §3: number-of-matches-within-limits).
void write_truncated(dav::Call& call, xml::Writer& w);
/// ASCII case-insensitive prefix test for iCalendar content lines.
bool starts_with_nocase(std::string_view line, std::string_view word);
/// The non-empty lines of an iCalendar text, CR/LF stripped (not unfolded).
std::vector<std::string_view> lines_of(std::string_view text);
/// Whether a REPORT asks for calendar-data: only then are bodies read. An
/// ETag listing (what clients sync with, then multiget) reads index columns.
bool wants_calendar_data(const dav::PropRequest& props);
/// A store node for an object already read (REPORTs).
dav::Node object_node(dav::Call& call, store::StoredObject object);

/// Batches (dav/batches.hpp) for objects whose bodies are read by path
/// (nullopt: no body to read), when their sizes are not known yet: up to
/// one batch of kBatchObjects as is (no statement more for the usual
/// multiget); more are sized first by one stat of their paths, without
/// bodies, so that each batch also holds at most kBatchBodyBytes.
std::vector<std::size_t> batches_by_path(dav::Call& call,
                                         const std::vector<std::optional<std::string>>& paths);

/// The objects at paths [begin, end), bodies included (one query).
std::vector<store::StoredObject> read_slice(dav::Call& call, const std::vector<std::string>& paths,
                                            std::size_t begin, std::size_t end);

// Rows per file.
std::vector<dav::LiveProperty> calendar_properties(const Options& options);  // properties.cpp
std::vector<dav::LiveProperty> principal_properties();                      // principal.cpp
std::vector<dav::LiveProperty> acl_properties();                            // acl.cpp
std::vector<dav::Report> principal_reports();                               // principal.cpp
dav::Report multiget_report(const Options& options);                        // multiget.cpp
dav::Report sync_collection_report(const Options& options);                 // sync.cpp
std::vector<dav::Report> query_reports(const Options& options);             // query.cpp
dav::Method mkcalendar_method();                                            // mkcalendar.cpp
dav::CollectionType calendar_collection_type();                             // mkcalendar.cpp
dav::PutHook put_hook(const Options& options);                              // put.cpp
dav::GetHook export_hook();                                                 // export.cpp
/// Checks every CALDAV:calendar-data element a REPORT asks for before any
/// response is written (RFC 4791 §7.8, §7.9: supported-calendar-data is a
/// precondition of the whole request).                          requests.cpp
void check_calendar_data_props(const dav::PropRequest& props);

}  // namespace cosmo::caldav::detail
