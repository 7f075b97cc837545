// ical::parse: text -> one VCALENDAR, or kValidCalendarData violations.
// libical rarely refuses input: it embeds X-LIC-ERROR properties where it
// dropped something (DESIGN.md, STYLE.md §3.4), so the whole tree is scanned.

#include <algorithm>
#include <cctype>
#include <iterator>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cosmo/ical/calendar.hpp"
#include "detail.hpp"
#include "occurrence.hpp"

namespace cosmo::ical {
namespace detail {

void for_each_component(icalcomponent* root, const std::function<void(icalcomponent*)>& f) {
    f(root);
    for (icalcomponent* c = icalcomponent_get_first_component(root, ICAL_ANY_COMPONENT);
         c != nullptr; c = icalcomponent_get_next_component(root, ICAL_ANY_COMPONENT)) {
        for_each_component(c, f);
    }
}

bool is_calendar_component(icalcomponent_kind kind) {
    return kind == ICAL_VEVENT_COMPONENT || kind == ICAL_VTODO_COMPONENT ||
           kind == ICAL_VJOURNAL_COMPONENT || kind == ICAL_VFREEBUSY_COMPONENT;
}

std::string text_of(icalcomponent* component, icalproperty_kind kind) {
    icalproperty* p = icalcomponent_get_first_property(component, kind);
    if (p == nullptr) {
        return {};
    }
    const char* s = icalvalue_as_ical_string(icalproperty_get_value(p));
    return s != nullptr ? std::string(s) : std::string();
}

}  // namespace detail

namespace {

using detail::CalendarImpl;
using detail::ComponentPtr;

Violation bad_data(std::string reason) {
    return {Precondition::kValidCalendarData, std::move(reason)};
}

// libical reports an unknown property name ("FOO:bar", and lower-case "x-foo",
// which it mis-parses) as an error and drops the property. RFC 5545 §3.8.8
// allows both (iana-prop, x-prop) and the client's bytes are kept as sent,
// so a syntactically valid name is not a reason to refuse the object.
bool is_tolerated(const std::string& message) {
    constexpr std::string_view kPrefix = "Parse error in property name: ";
    if (message.rfind(kPrefix, 0) != 0) {
        return false;
    }
    const std::string_view name = std::string_view(message).substr(kPrefix.size());
    if (name.empty()) {
        return false;
    }
    for (unsigned char c : name) {
        if (!std::isalnum(c) && c != '-') {
            return false;
        }
    }
    return true;
}

void collect_lic_errors(icalcomponent* root, std::vector<Violation>& out) {
    detail::for_each_component(root, [&](icalcomponent* c) {
        for (icalproperty* p = icalcomponent_get_first_property(c, ICAL_XLICERROR_PROPERTY);
             p != nullptr; p = icalcomponent_get_next_property(c, ICAL_XLICERROR_PROPERTY)) {
            const char* text = icalproperty_get_xlicerror(p);
            std::string message = text != nullptr ? text : "unparsable content";
            if (!is_tolerated(message)) {
                out.push_back(bad_data(std::move(message)));
            }
        }
    });
}

// Each VTIMEZONE's own text (its lines from BEGIN:VTIMEZONE to
// END:VTIMEZONE, matched case-insensitively, CR LF or LF) by the value of
// its first "TZID:" line. A TZID given by two blocks, or written with
// parameters or folded, is left out: such components are keyed by libical's
// rendering instead (libical does not keep them in the text's order).
std::map<std::string, std::string_view, std::less<>> vtimezone_texts(std::string_view text) {
    const auto trimmed = [](std::string_view line) {
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        return line;
    };
    std::map<std::string, std::string_view, std::less<>> out;
    std::vector<std::string> ambiguous;
    std::size_t begin = std::string_view::npos;
    std::string tzid;
    for (std::size_t at = 0; at < text.size();) {
        std::size_t eol = text.find('\n', at);
        if (eol == std::string_view::npos) eol = text.size();
        const std::string_view line = trimmed(text.substr(at, eol - at));
        if (detail::iequals(line, "BEGIN:VTIMEZONE")) {
            begin = at;
            tzid.clear();
        } else if (begin != std::string_view::npos && tzid.empty() && line.size() > 5 &&
                   detail::iequals(line.substr(0, 5), "TZID:")) {
            tzid = line.substr(5);
        } else if (begin != std::string_view::npos && detail::iequals(line, "END:VTIMEZONE")) {
            if (!tzid.empty() && !out.emplace(tzid, text.substr(begin, eol - begin)).second) {
                ambiguous.push_back(tzid);
            }
            begin = std::string_view::npos;
        }
        at = eol + 1;
    }
    for (const std::string& t : ambiguous) out.erase(t);
    return out;
}

// One icaltimezone per VTIMEZONE, so TZIDs resolve to the object's own rules.
void load_zones(CalendarImpl& impl, std::string_view text) {
    icalcomponent* root = impl.root.get();
    std::map<std::string, std::string_view, std::less<>> texts;
    bool texts_read = false;
    for (icalcomponent* c = icalcomponent_get_first_component(root, ICAL_VTIMEZONE_COMPONENT);
         c != nullptr; c = icalcomponent_get_next_component(root, ICAL_VTIMEZONE_COMPONENT)) {
        const std::string tzid = detail::text_of(c, ICAL_TZID_PROPERTY);
        if (tzid.empty() || impl.zones.count(tzid) != 0) {
            continue;
        }
        if (!texts_read) {
            texts = vtimezone_texts(text);
            texts_read = true;
        }
        const auto own = texts.find(tzid);
        if (detail::SharedZone zone = detail::shared_zone(
                c, own != texts.end() ? own->second : std::string_view())) {
            impl.zones.emplace(tzid, std::move(zone));
        }
    }
}

}  // namespace

Calendar::Calendar(std::unique_ptr<detail::CalendarImpl> impl) : impl_(std::move(impl)) {}
Calendar::Calendar(Calendar&&) noexcept = default;
Calendar& Calendar::operator=(Calendar&&) noexcept = default;
Calendar::~Calendar() = default;

namespace {

// The properties that decide when a component happens and whether it is
// busy: what extent.cpp and series.cpp read (RFC 4791 §9.9's table,
// recurrence, UID for series) and freebusy.cpp (TRANSP, STATUS, FREEBUSY).
bool decides_time(std::string_view name) {
    static constexpr std::string_view kNames[] = {
        "DTSTART", "DTEND",  "DURATION", "DUE",           "COMPLETED", "CREATED",
        "RRULE",   "RDATE",  "EXDATE",   "RECURRENCE-ID", "UID",       "TRANSP",
        "STATUS",  "FREEBUSY"};
    return std::any_of(std::begin(kNames), std::end(kNames),
                       [&](std::string_view n) { return detail::iequals(name, n); });
}

bool starts_with_ci(std::string_view line, std::string_view prefix) {
    return line.size() >= prefix.size() && detail::iequals(line.substr(0, prefix.size()), prefix);
}

// A VTIMEZONE block of a text whose zone is already shared (word for word).
struct SharedBlock {
    std::size_t length;  ///< from BEGIN:VTIMEZONE to END:VTIMEZONE, no line end
    std::string tzid;
    detail::SharedZone zone;
};

// The text's VTIMEZONE blocks whose zones are already shared, by offset.
std::map<std::size_t, SharedBlock> shared_zone_blocks(std::string_view text) {
    std::map<std::size_t, SharedBlock> out;
    for (const auto& [tzid, block] : vtimezone_texts(text)) {
        if (detail::SharedZone zone = detail::cached_shared_zone(block)) {
            out.emplace(static_cast<std::size_t>(block.data() - text.data()),
                        SharedBlock{block.size(), tzid, std::move(zone)});
        }
    }
    return out;
}

// The lines of text that decide when its components happen: VERSION, each
// top-level component's BEGIN/END and decides_time() properties (folded
// lines with them), and every VTIMEZONE whose zone is not already shared,
// word for word. Shared ones go straight into impl's zones. Sub-components
// of events and to-dos (VALARM) are left out.
std::string time_lines(std::string_view text, CalendarImpl& impl) {
    std::map<std::size_t, SharedBlock> shared_blocks = shared_zone_blocks(text);
    for (auto& [offset, block] : shared_blocks) {
        impl.zones.emplace(block.tzid, std::move(block.zone));
    }
    std::string out;
    out.reserve(text.size() / 2);
    int depth = 0;           // components open
    bool verbatim = false;   // inside a VTIMEZONE that is parsed
    bool keeping = false;    // the last unfolded line was kept
    for (std::size_t at = 0; at < text.size();) {
        if (const auto block = shared_blocks.find(at); block != shared_blocks.end()) {
            at += block->second.length + 1;  // the block and its line end
            keeping = false;
            continue;
        }
        std::size_t eol = text.find('\n', at);
        if (eol == std::string_view::npos) eol = text.size() - 1;
        const std::string_view raw = text.substr(at, eol + 1 - at);
        at = eol + 1;
        std::string_view line = raw;
        while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) {
            line.remove_suffix(1);
        }
        if (!line.empty() && (line.front() == ' ' || line.front() == '\t')) {
            if (keeping) out.append(raw);  // a folded continuation
            continue;
        }
        const bool begins = starts_with_ci(line, "BEGIN:");
        const bool ends = starts_with_ci(line, "END:");
        if (begins) ++depth;
        if (begins && depth == 2) verbatim = detail::iequals(line, "BEGIN:VTIMEZONE");
        const int level = ends ? depth : depth - (begins ? 1 : 0);  // where the line sits
        if (verbatim) {
            keeping = true;
        } else if (begins || ends) {
            keeping = depth <= 2;
        } else {
            const std::string_view name = line.substr(0, line.find_first_of(";:"));
            keeping = (level == 1 && detail::iequals(name, "VERSION")) ||
                      (level == 2 && decides_time(name));
        }
        if (keeping) out.append(raw);
        if (ends) {
            if (depth == 2) verbatim = false;
            --depth;
        }
    }
    return out;
}

// text without its top-level VTIMEZONE blocks whose zone is already shared
// (each block with its line end), those zones put into impl's; nullopt when
// there is no such block.
std::optional<std::string> without_shared_zones(std::string_view text, CalendarImpl& impl) {
    std::map<std::size_t, SharedBlock> shared = shared_zone_blocks(text);
    if (shared.empty()) {
        return std::nullopt;
    }
    std::string out;
    out.reserve(text.size());
    bool skipped = false;
    int depth = 0;  // components open
    for (std::size_t at = 0; at < text.size();) {
        if (const auto block = shared.find(at); block != shared.end() && depth == 1) {
            impl.zones.emplace(block->second.tzid, std::move(block->second.zone));
            skipped = true;
            at += block->second.length + 1;  // the block and its line end
            continue;
        }
        std::size_t eol = text.find('\n', at);
        if (eol == std::string_view::npos) eol = text.size() - 1;
        const std::string_view raw = text.substr(at, eol + 1 - at);
        at = eol + 1;
        out.append(raw);
        if (starts_with_ci(raw, "BEGIN:")) ++depth;
        if (starts_with_ci(raw, "END:")) --depth;
    }
    if (!skipped) {
        return std::nullopt;
    }
    return out;
}

// libical's tree of text, checked as parse() documents, with zones for its
// VTIMEZONEs added to impl's.
ParseResult parse_checked(std::string_view text, std::unique_ptr<CalendarImpl> impl) {
    detail::ensure_initialized();
    ParseResult result;
    // icalparser_parse_string needs a NUL-terminated string; an embedded NUL
    // would silently cut the object short, so refuse it.
    if (text.find('\0') != std::string_view::npos) {
        result.violations.push_back(bad_data("NUL character in calendar data"));
        return result;
    }
    const std::string copy(text);
    ComponentPtr root(icalparser_parse_string(copy.c_str()));
    if (!root) {
        result.violations.push_back(bad_data("not iCalendar data"));
        return result;
    }
    if (icalcomponent_isa(root.get()) != ICAL_VCALENDAR_COMPONENT) {
        result.violations.push_back(bad_data("expected exactly one VCALENDAR"));
        return result;
    }
    collect_lic_errors(root.get(), result.violations);
    // RFC 5545 §3.7.4: VERSION is required and we speak 2.0 only.
    icalproperty* version = icalcomponent_get_first_property(root.get(), ICAL_VERSION_PROPERTY);
    if (version == nullptr) {
        result.violations.push_back(bad_data("missing VERSION"));
    } else {
        const char* v = icalproperty_get_version(version);
        if (v == nullptr || std::string_view(v) != "2.0") {
            result.violations.push_back(bad_data("VERSION must be 2.0"));
        }
    }
    if (!result.violations.empty()) {
        return result;
    }
    impl->root = std::move(root);
    load_zones(*impl, text);
    result.calendar.emplace(std::move(impl));
    return result;
}

}  // namespace

ParseResult parse(std::string_view text) {
    return parse_checked(text, std::make_unique<CalendarImpl>());
}

ParseResult parse_for_checks(std::string_view text) {
    auto impl = std::make_unique<CalendarImpl>();
    if (text.find('\0') == std::string_view::npos) {  // else parse_checked refuses it
        if (const std::optional<std::string> rest = without_shared_zones(text, *impl)) {
            return parse_checked(*rest, std::move(impl));
        }
    }
    return parse_checked(text, std::move(impl));
}

ParseResult parse_times(std::string_view text) {
    auto impl = std::make_unique<CalendarImpl>();
    const std::string lines = time_lines(text, *impl);
    return parse_checked(lines, std::move(impl));
}

}  // namespace cosmo::ical
