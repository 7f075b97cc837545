/// GET on a calendar collection: the whole calendar as one text/calendar
/// document (issue 3 part 7), so a webcal subscription of the URL works as
/// it did in the original Cosmo.
///
/// The objects' components are copied line by line, as stored (no
/// re-serialisation through libical, so nothing the client sent is
/// rewritten); each VTIMEZONE appears once (the first one stored for its
/// TZID); the per-object VCALENDAR properties (VERSION, PRODID, CALSCALE,
/// METHOD) are replaced by the export's own. An object whose text is not
/// a balanced VCALENDAR is left out rather than breaking the export
/// (CLIENTS.md §1.14). X-WR-CALNAME carries the DAV:displayname.
///
/// Statuses: 200 text/calendar (HEAD: the same headers).

#include <strings.h>

#include <set>
#include <string_view>

#include "internal.hpp"

namespace cosmo::caldav::detail {

namespace {

/// The unfolded value of the first TZID property of a VTIMEZONE block.
std::string tzid_in(const std::vector<std::string_view>& block) {
    for (std::size_t i = 0; i < block.size(); ++i) {
        if (!starts_with_nocase(block[i], "TZID") || block[i].size() < 5 ||
            (block[i][4] != ':' && block[i][4] != ';')) {
            continue;
        }
        std::string line(block[i]);
        for (std::size_t j = i + 1; j < block.size() && (block[j][0] == ' ' || block[j][0] == '\t');
             ++j) {
            line.append(block[j].substr(1));
        }
        const std::size_t colon = line.find(':');
        return colon == std::string::npos ? std::string() : line.substr(colon + 1);
    }
    return {};
}

struct Parts {
    std::vector<std::vector<std::string_view>> timezones;
    std::vector<std::vector<std::string_view>> components;
};

/// The top-level components of one stored object; nullopt when its text is
/// not one balanced VCALENDAR.
std::optional<Parts> split(std::string_view text) {
    const std::vector<std::string_view> lines = lines_of(text);
    if (lines.empty() || !starts_with_nocase(lines.front(), "BEGIN:VCALENDAR")) {
        return std::nullopt;
    }
    Parts parts;
    std::vector<std::string_view>* current = nullptr;
    int depth = 0;
    bool done = false;
    for (const std::string_view line : lines) {
        if (done) return std::nullopt;  // anything after END:VCALENDAR
        const bool continuation = line[0] == ' ' || line[0] == '\t';
        if (!continuation && starts_with_nocase(line, "BEGIN:")) {
            ++depth;
            if (depth == 2) {
                const bool tz = starts_with_nocase(line, "BEGIN:VTIMEZONE");
                current = &(tz ? parts.timezones : parts.components).emplace_back();
            }
        }
        if (depth >= 2 && current) current->push_back(line);
        if (!continuation && starts_with_nocase(line, "END:")) {
            --depth;
            if (depth == 1) current = nullptr;
            if (depth == 0) done = true;
            if (depth < 0) return std::nullopt;
        }
    }
    if (!done) return std::nullopt;
    return parts;
}

http::Response export_calendar(dav::Call& call) {
    const store::Resource& collection = *call.node.resource;
    const std::vector<store::StoredObject> objects =
        call.session->objects_in_range(collection, "", store::kMinSeconds, store::kMaxSeconds);
    std::string out =
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Cosmo//Calendar Export//EN\r\n"
        "CALSCALE:GREGORIAN\r\n";
    if (const auto name =
            call.session->dead_property(collection, std::string(xml::ns::kDav), "displayname")) {
        std::string value = text_of(name->value_xml);
        // RFC 5545 §3.3.11 TEXT escaping, on one line.
        std::string escaped;
        for (const char ch : value) {
            if (ch == '\\' || ch == ';' || ch == ',') escaped += '\\';
            if (ch == '\n') {
                escaped += "\\n";
            } else if (ch != '\r') {
                escaped += ch;
            }
        }
        if (!escaped.empty()) out += "X-WR-CALNAME:" + escaped + "\r\n";
    }
    std::set<std::string> seen_tzids;
    std::string body;
    for (const store::StoredObject& o : objects) {
        const std::optional<Parts> parts = split(o.body);
        if (!parts) continue;
        for (const auto& tz : parts->timezones) {
            if (!seen_tzids.insert(tzid_in(tz)).second) continue;
            for (const std::string_view l : tz) out.append(l).append("\r\n");
        }
        for (const auto& c : parts->components) {
            for (const std::string_view l : c) body.append(l).append("\r\n");
        }
    }
    out += body;
    out += "END:VCALENDAR\r\n";
    http::Response res =
        http::make_response(call.req, http::Status::ok, std::move(out), "text/calendar; charset=utf-8");
    res.set(http::Field::content_type, "text/calendar; charset=utf-8");
    return res;
}

}  // namespace

dav::GetHook export_hook() {
    dav::GetHook h;
    h.kind = store::CollectionKind::kCalendar;
    h.run = export_calendar;
    return h;
}

}  // namespace cosmo::caldav::detail
