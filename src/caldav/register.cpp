/// install(): the CalDAV rows in dav's registries, and the helpers the
/// report and property files share.

#include <strings.h>

#include <algorithm>
#include <charconv>

#include <unordered_map>

#include "internal.hpp"

namespace cosmo::caldav {

namespace detail {

namespace {
constexpr std::string_view kTokenPrefix = "http://cosmo.invalid/ns/sync/";
}  // namespace

bool is_calendar(const dav::Node& node) {
    return node.kind == dav::NodeKind::kStore && node.resource && node.resource->is_collection &&
           node.resource->kind == store::CollectionKind::kCalendar;
}

bool is_calendar_object(const dav::Node& node) {
    if (node.kind != dav::NodeKind::kStore || !node.resource || node.resource->is_collection) {
        return false;
    }
    const std::string& ct = node.resource->content_type;
    return ct.size() >= 13 && strncasecmp(ct.c_str(), "text/calendar", 13) == 0;
}

bool is_store_collection(const dav::Node& node) {
    return node.kind == dav::NodeKind::kStore && node.resource && node.resource->is_collection;
}

std::string sync_token(const store::Resource& collection) {
    return std::string(kTokenPrefix) + std::to_string(collection.id) + "/" +
           std::to_string(collection.revision);
}

std::optional<std::pair<std::int64_t, std::int64_t>> parse_sync_token(std::string_view token) {
    if (token.substr(0, kTokenPrefix.size()) != kTokenPrefix) return std::nullopt;
    token.remove_prefix(kTokenPrefix.size());
    const std::size_t slash = token.find('/');
    if (slash == std::string_view::npos) return std::nullopt;
    std::int64_t id = 0;
    std::int64_t revision = 0;
    const auto a = std::from_chars(token.data(), token.data() + slash, id);
    const auto b = std::from_chars(token.data() + slash + 1, token.data() + token.size(), revision);
    if (a.ec != std::errc() || a.ptr != token.data() + slash || b.ec != std::errc() ||
        b.ptr != token.data() + token.size() || revision < 0) {
        return std::nullopt;
    }
    return std::pair{id, revision};
}

std::string text_of(const std::string& inner_xml) {
    try {
        return xml::parse("<x>" + inner_xml + "</x>").text;
    } catch (const xml::ParseError&) {
        return {};
    }
}

std::string tzid_of(const std::string& ical_text) {
    const std::size_t begin = ical_text.find("BEGIN:VTIMEZONE");
    if (begin == std::string::npos) return {};
    std::size_t pos = ical_text.find("\nTZID", begin);
    if (pos == std::string::npos) return {};
    pos = ical_text.find(':', pos);
    if (pos == std::string::npos) return {};
    const std::size_t end = ical_text.find_first_of("\r\n", pos);
    return ical_text.substr(pos + 1, end == std::string::npos ? std::string::npos : end - pos - 1);
}

std::string collection_tzid(dav::Call& call, const store::Resource& collection) {
    const auto p = call.session->dead_property(collection, std::string(xml::ns::kCalDav),
                                               "calendar-timezone");
    return p ? tzid_of(text_of(p->value_xml)) : std::string();
}

std::vector<std::string> supported_components(dav::Call& call,
                                              const store::Resource& collection) {
    const auto p = call.session->dead_property(collection, std::string(xml::ns::kCalDav),
                                               "supported-calendar-component-set");
    if (!p) return {"VEVENT", "VTODO"};
    std::vector<std::string> out;
    try {
        const xml::Element set = xml::parse("<x>" + p->value_xml + "</x>");
        for (const xml::Element& c : set.children) {
            if (c.name == xml::caldav("comp")) out.push_back(c.attribute("name"));
        }
    } catch (const xml::ParseError&) {
        return {"VEVENT", "VTODO"};
    }
    return out;
}

bool wants_minimal(const dav::Call& call) {
    std::string prefer = call.header("Prefer");
    for (char& c : prefer) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const std::string brief = call.header("Brief");
    return prefer.find("return=minimal") != std::string::npos || brief == "t" || brief == "T";
}

void write_status_response(xml::Writer& w, const std::string& href, http::Status status) {
    w.start(xml::dav("response"));
    w.leaf(xml::dav("href"), href);
    w.leaf(xml::dav("status"), dav::status_line(status));
    w.end();
}

void write_truncated(dav::Call& call, xml::Writer& w) {
    w.start(xml::dav("response"));
    w.leaf(xml::dav("href"), call.node.href);
    w.leaf(xml::dav("status"), dav::status_line(http::Status::insufficient_storage));
    w.start(xml::dav("error")).leaf(xml::dav("number-of-matches-within-limits")).end();
    w.end();
}

std::vector<std::size_t> batches_by_path(dav::Call& call,
                                         const std::vector<std::optional<std::string>>& paths) {
    std::vector<std::size_t> by_count = dav::batch_ends(paths.size(), nullptr);
    if (by_count.size() <= 1) return by_count;
    std::vector<std::string> named;
    for (const std::optional<std::string>& p : paths) {
        if (p) named.push_back(*p);
    }
    std::unordered_map<std::string, std::int64_t> sizes;
    for (store::Resource& r : call.session->stat_objects(named)) {
        sizes.emplace(std::move(r.path), r.content_length);
    }
    return dav::batch_ends(paths.size(), [&](std::size_t i) -> std::int64_t {
        if (!paths[i]) return 0;
        const auto it = sizes.find(*paths[i]);
        return it == sizes.end() ? 0 : it->second;
    });
}

std::vector<store::StoredObject> read_slice(dav::Call& call, const std::vector<std::string>& paths,
                                            std::size_t begin, std::size_t end) {
    return call.session->read_objects(
        std::vector<std::string>(paths.begin() + static_cast<std::ptrdiff_t>(begin),
                                 paths.begin() + static_cast<std::ptrdiff_t>(end)));
}

bool starts_with_nocase(std::string_view line, std::string_view word) {
    return line.size() >= word.size() && strncasecmp(line.data(), word.data(), word.size()) == 0;
}

std::vector<std::string_view> lines_of(std::string_view text) {
    std::vector<std::string_view> out;
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t end = text.find('\n', pos);
        if (end == std::string_view::npos) end = text.size();
        std::string_view line = text.substr(pos, end - pos);
        pos = end + 1;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (!line.empty()) out.push_back(line);
    }
    return out;
}

bool wants_calendar_data(const dav::PropRequest& props) {
    return std::any_of(props.props.begin(), props.props.end(), [](const xml::Element& e) {
        return e.name == xml::caldav("calendar-data");
    });
}

dav::Node object_node(dav::Call& call, store::StoredObject object) {
    dav::Node n;
    n.kind = dav::NodeKind::kStore;
    n.user = call.owner->name;
    n.path = object.resource.path;
    n.href = call.href_of(n.path);
    n.resource = std::move(object.resource);
    n.body = std::move(object.body);
    return n;
}

}  // namespace detail

void install(dav::Registries& registries, const Options& options) {
    using namespace detail;
    // RFC 4791 §5.1: calendar-access in the DAV header of OPTIONS.
    registries.dav_classes.push_back("calendar-access");
    for (auto& rows : {calendar_properties(options), principal_properties(), acl_properties()}) {
        for (const dav::LiveProperty& p : rows) {
            registries.properties.push_back(p);
        }
    }
    registries.reports.push_back(multiget_report(options));
    registries.reports.push_back(sync_collection_report(options));
    for (dav::Report& r : query_reports(options)) registries.reports.push_back(std::move(r));
    for (dav::Report& r : principal_reports()) registries.reports.push_back(std::move(r));
    registries.methods.push_back(mkcalendar_method());
    registries.collection_types.push_back(calendar_collection_type());
    registries.put_hooks.push_back(put_hook(options));
    registries.get_hooks.push_back(export_hook());
}

dav::Registries registries(const Options& options) {
    dav::Registries r = dav::default_registries();
    install(r, options);
    return r;
}

}  // namespace cosmo::caldav
