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
/// (CLIENTS.md §1.14). X-WR-CALNAME carries the DAV:displayname. A calendar
/// longer than one batch of objects (dav/batches.hpp) is sent a batch at a time.
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

/// The export's own VCALENDAR properties, with X-WR-CALNAME from the
/// DAV:displayname.
std::string export_head(dav::Call& call, const store::Resource& collection) {
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
    return out;
}

/// Appends the VTIMEZONEs of `parts` not seen before to `out`.
void append_new_timezones(const Parts& parts, std::set<std::string>& seen_tzids, std::string& out) {
    for (const auto& tz : parts.timezones) {
        if (!seen_tzids.insert(tzid_in(tz)).second) continue;
        for (const std::string_view l : tz) out.append(l).append("\r\n");
    }
}

void append_components(const Parts& parts, std::string& out) {
    for (const auto& c : parts.components) {
        for (const std::string_view l : c) out.append(l).append("\r\n");
    }
}

http::Response calendar_response(dav::Call& call, std::string body) {
    return http::make_response(call.req, http::Status::ok, std::move(body),
                               "text/calendar; charset=utf-8");
}

/// A calendar longer than one batch (dav/batches.hpp): read twice, a batch at a
/// time, first for its VTIMEZONEs (they come before the components, once
/// each), then for its components, each batch sent before the next is
/// read. A zone first stored between the two reads is left out, as it
/// would be by an export made a moment earlier.
http::Response export_streamed(dav::Call& call, const store::Resource& collection,
                               std::vector<store::Resource> members,
                               std::vector<std::size_t> ends) {
    struct Export {
        std::vector<std::string> paths;
        std::vector<std::size_t> ends;
        std::size_t next = 0;
    };
    auto e = std::make_shared<Export>();
    for (store::Resource& r : members) e->paths.push_back(std::move(r.path));
    e->ends = std::move(ends);
    const auto read_batch = [&call, e](std::size_t k) {
        return read_slice(call, e->paths, k == 0 ? 0 : e->ends[k - 1], e->ends[k]);
    };
    std::string head = export_head(call, collection);
    std::set<std::string> seen_tzids;
    for (std::size_t k = 0; k < e->ends.size(); ++k) {
        for (const store::StoredObject& o : read_batch(k)) {
            if (const std::optional<Parts> parts = split(o.body)) {
                append_new_timezones(*parts, seen_tzids, head);
            }
        }
    }
    return call.streamed_response(calendar_response(call, std::move(head)),
                                  [e, read_batch](std::string& out) {
                                      for (const store::StoredObject& o : read_batch(e->next)) {
                                          if (const std::optional<Parts> parts = split(o.body)) {
                                              append_components(*parts, out);
                                          }
                                      }
                                      if (++e->next < e->ends.size()) return true;
                                      out += "END:VCALENDAR\r\n";
                                      return false;
                                  });
}

http::Response export_calendar(dav::Call& call) {
    const store::Resource& collection = *call.node.resource;
    std::vector<store::Resource> members;
    for (store::Resource& r : call.session->children(collection)) {
        if (!r.is_collection) members.push_back(std::move(r));
    }
    std::vector<std::size_t> ends = dav::batch_ends(
        members.size(), [&members](std::size_t i) { return members[i].content_length; });
    // HEAD needs the length: the whole export is made, as for a short one.
    if (ends.size() > 1 && call.req.method() != http::Verb::head) {
        return export_streamed(call, collection, std::move(members), std::move(ends));
    }
    std::vector<std::string> paths;
    for (store::Resource& r : members) paths.push_back(std::move(r.path));
    std::string out = export_head(call, collection);
    std::set<std::string> seen_tzids;
    std::string body;
    for (const store::StoredObject& o : call.session->read_objects(paths)) {
        const std::optional<Parts> parts = split(o.body);
        if (!parts) continue;
        append_new_timezones(*parts, seen_tzids, out);
        append_components(*parts, body);
    }
    out += body;
    out += "END:VCALENDAR\r\n";
    return calendar_response(call, std::move(out));
}

}  // namespace

dav::GetHook export_hook() {
    dav::GetHook h;
    h.kind = store::CollectionKind::kCalendar;
    h.run = export_calendar;
    return h;
}

}  // namespace cosmo::caldav::detail
