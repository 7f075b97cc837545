/// Parsing of the CalDAV REPORT bodies into the structs of requests.hpp.

#include "requests.hpp"

#include <charconv>
#include <cstdio>

#include "internal.hpp"

namespace cosmo::caldav::detail {

namespace {

using dav::DavError;
using dav::Precondition;
using xml::caldav;

DavError invalid_filter(const std::string& why) {
    return DavError::forbidden(Precondition::kValidFilter, why);
}

using ical::CompFilter;
using ical::ParamFilter;
using ical::PropFilter;
using ical::TextMatch;
using ical::TimeRange;

TimeRange parse_time_range(const xml::Element& e) {
    TimeRange r;
    const std::string start = e.attribute("start");
    const std::string end = e.attribute("end");
    if (start.empty() && end.empty()) throw invalid_filter("time-range needs start or end");
    if (!start.empty() && !(r.start = parse_utc_time(start))) {
        throw invalid_filter("time-range start must be a UTC date-time");
    }
    if (!end.empty() && !(r.end = parse_utc_time(end))) {
        throw invalid_filter("time-range end must be a UTC date-time");
    }
    if (r.start && r.end && *r.end <= *r.start) throw invalid_filter("time-range end <= start");
    return r;
}

TextMatch parse_text_match(const xml::Element& e) {
    TextMatch t;
    t.text = e.text;
    const std::string collation = e.attribute("collation");
    if (!collation.empty()) t.collation = collation;
    if (!ical::supported_collation(t.collation)) {
        throw DavError::forbidden(Precondition::kSupportedCollation,
                                  "Unsupported collation " + t.collation);
    }
    t.negate = e.attribute("negate-condition") == "yes";
    return t;
}

ParamFilter parse_param_filter(const xml::Element& e) {
    ParamFilter p;
    p.name = e.attribute("name");
    if (p.name.empty()) throw invalid_filter("param-filter needs a name");
    for (const xml::Element& c : e.children) {
        if (c.name == caldav("is-not-defined")) p.is_not_defined = true;
        if (c.name == caldav("text-match")) p.text_match = parse_text_match(c);
    }
    return p;
}

PropFilter parse_prop_filter(const xml::Element& e) {
    PropFilter p;
    p.name = e.attribute("name");
    if (p.name.empty()) throw invalid_filter("prop-filter needs a name");
    for (const xml::Element& c : e.children) {
        if (c.name == caldav("is-not-defined")) p.is_not_defined = true;
        if (c.name == caldav("time-range")) p.time_range = parse_time_range(c);
        if (c.name == caldav("text-match")) p.text_match = parse_text_match(c);
        if (c.name == caldav("param-filter")) p.param_filters.push_back(parse_param_filter(c));
    }
    return p;
}

CompFilter parse_comp_filter(const xml::Element& e, int depth) {
    if (depth > 8) throw invalid_filter("comp-filter nesting too deep");
    CompFilter f;
    f.name = e.attribute("name");
    if (f.name.empty()) throw invalid_filter("comp-filter needs a name");
    for (const xml::Element& c : e.children) {
        if (c.name == caldav("is-not-defined")) f.is_not_defined = true;
        if (c.name == caldav("time-range")) f.time_range = parse_time_range(c);
        if (c.name == caldav("prop-filter")) f.prop_filters.push_back(parse_prop_filter(c));
        if (c.name == caldav("comp-filter")) {
            f.comp_filters.push_back(parse_comp_filter(c, depth + 1));
        }
    }
    return f;
}

}  // namespace

std::optional<ical::TimePoint> parse_utc_time(std::string_view s) {
    if (s.size() != 16 || s[8] != 'T' || s[15] != 'Z') return std::nullopt;
    for (std::size_t i = 0; i < 15; ++i) {
        if (i != 8 && (s[i] < '0' || s[i] > '9')) return std::nullopt;
    }
    auto num = [&](std::size_t at, std::size_t n) {
        int v = 0;
        for (std::size_t i = at; i < at + n; ++i) v = v * 10 + (s[i] - '0');
        return v;
    };
    using namespace std::chrono;
    const year_month_day ymd{year(num(0, 4)), month(static_cast<unsigned>(num(4, 2))),
                             day(static_cast<unsigned>(num(6, 2)))};
    if (!ymd.ok() || num(9, 2) > 23 || num(11, 2) > 59 || num(13, 2) > 60) return std::nullopt;
    return ical::TimePoint(sys_days(ymd)) + hours(num(9, 2)) + minutes(num(11, 2)) +
           seconds(num(13, 2));
}

std::optional<std::size_t> parse_limit(const xml::Element& root) {
    const xml::Element* l = root.child(xml::dav("limit"));
    if (!l) return std::nullopt;
    const xml::Element* n = l->child(xml::dav("nresults"));
    std::size_t value = 0;
    const std::string_view text = n ? n->trimmed_text() : std::string_view();
    const auto res = std::from_chars(text.data(), text.data() + text.size(), value);
    if (!n || res.ec != std::errc() || res.ptr != text.data() + text.size() || value == 0) {
        throw DavError::bad_request("DAV:limit needs a positive DAV:nresults");
    }
    return value;
}

void check_calendar_data_props(const dav::PropRequest& props) {
    for (const xml::Element& p : props.props) {
        if (p.name == caldav("calendar-data")) (void)parse_calendar_data(p);
    }
}

CalendarQuery parse_calendar_query(const xml::Element& root) {
    CalendarQuery q;
    if (auto props = dav::parse_prop_request(root)) q.props = std::move(*props);
    check_calendar_data_props(q.props);
    q.limit = parse_limit(root);
    const xml::Element* filter = root.child(caldav("filter"));
    if (!filter) throw invalid_filter("calendar-query needs CALDAV:filter");
    const xml::Element* top = filter->child(caldav("comp-filter"));
    if (!top || top->attribute("name") != "VCALENDAR") {
        throw invalid_filter("The filter must start with comp-filter VCALENDAR");
    }
    q.filter.root = parse_comp_filter(*top, 0);
    if (const xml::Element* tz = root.child(caldav("timezone"))) {
        q.timezone_id = tzid_of(std::string(tz->trimmed_text()));
    }
    if (const xml::Element* tz = root.child(caldav("timezone-id"))) {
        q.timezone_id = std::string(tz->trimmed_text());
    }
    return q;
}

FreeBusyQuery parse_free_busy_query(const xml::Element& root) {
    const xml::Element* tr = root.child(caldav("time-range"));
    if (!tr) throw DavError::bad_request("free-busy-query needs CALDAV:time-range");
    return {parse_time_range(*tr)};
}

namespace {

/// CALDAV:prop (§9.6.4) names into a selector.
void parse_selector(const xml::Element& e, ical::CompSelector& sel, int depth) {
    if (depth > 8) throw DavError::bad_request("calendar-data comp nesting too deep");
    sel.name = e.attribute("name");
    for (const xml::Element& c : e.children) {
        if (c.name == caldav("allprop")) {
            sel.all_props = true;
        } else if (c.name == caldav("prop")) {
            sel.all_props = false;
            (c.attribute("novalue") == "yes" ? sel.novalue_props : sel.props)
                .push_back(c.attribute("name"));
        } else if (c.name == caldav("allcomp")) {
            sel.all_comps = true;
        } else if (c.name == caldav("comp")) {
            sel.all_comps = false;
            parse_selector(c, sel.comps.emplace_back(), depth + 1);
        }
    }
    // An explicit allprop/allcomp wins over listed names (§9.6.1).
    for (const xml::Element& c : e.children) {
        if (c.name == caldav("allprop")) sel.all_props = true;
        if (c.name == caldav("allcomp")) sel.all_comps = true;
    }
}

}  // namespace

ical::CalendarDataRequest parse_calendar_data(const xml::Element& element) {
    const std::string type = element.attribute("content-type");
    const std::string version = element.attribute("version");
    if ((!type.empty() && type != "text/calendar") || (!version.empty() && version != "2.0")) {
        throw DavError::forbidden(Precondition::kSupportedCalendarDataReport,
                                  "Only text/calendar 2.0 is available");
    }
    ical::CalendarDataRequest r;
    for (const xml::Element& c : element.children) {
        if (c.name == caldav("comp")) {
            parse_selector(c, r.comp.emplace(), 0);
        } else if (c.name == caldav("expand")) {
            r.expand = parse_time_range(c);
        } else if (c.name == caldav("limit-recurrence-set")) {
            r.limit_recurrence_set = parse_time_range(c);
        } else if (c.name == caldav("limit-freebusy-set")) {
            r.limit_freebusy_set = parse_time_range(c);
        }
    }
    if (r.expand && (!r.expand->start || !r.expand->end)) {
        throw DavError::bad_request("CALDAV:expand needs start and end (RFC 4791 §9.6.5)");
    }
    return r;
}

}  // namespace cosmo::caldav::detail
