// CALDAV:filter evaluation (RFC 4791 §9.7, §9.9): the §7.8.x example queries
// over the Appendix B objects, then collations, negate-condition,
// is-not-defined, VALARM and property time ranges, recurrence edge cases and
// the SQL prefilter hints.

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "cosmo/ical/filter.hpp"
#include "ical_test_util.hpp"
#include "rfc4791_examples.hpp"

namespace cosmo::ical {
namespace {

using test::at;
namespace ex = test::rfc4791;

CompFilter comp(std::string name) {
    CompFilter f;
    f.name = std::move(name);
    return f;
}

PropFilter prop(std::string name) {
    PropFilter f;
    f.name = std::move(name);
    return f;
}

TextMatch text(std::string t, bool negate = false, std::string collation = "i;ascii-casemap") {
    TextMatch m;
    m.text = std::move(t);
    m.negate = negate;
    m.collation = std::move(collation);
    return m;
}

Filter under_vcalendar(CompFilter child) {
    Filter f;
    f.root.comp_filters.push_back(std::move(child));
    return f;
}

TimeRange range(TimePoint s, TimePoint e) { return TimeRange{s, e}; }

bool match(const std::string& ics, const Filter& f, std::string_view tz = {}) {
    return matches(test::must_parse(ics), f, tz);
}

// Names of the Appendix B objects the filter selects.
std::vector<std::string> matching(const Filter& f) {
    const std::pair<const char*, const std::string*> all[] = {
        {"abcd1", &ex::kAbcd1}, {"abcd2", &ex::kAbcd2}, {"abcd3", &ex::kAbcd3},
        {"abcd4", &ex::kAbcd4}, {"abcd5", &ex::kAbcd5}, {"abcd6", &ex::kAbcd6},
        {"abcd7", &ex::kAbcd7}, {"abcd8", &ex::kAbcd8}};
    std::vector<std::string> out;
    for (const auto& [name, text] : all) {
        if (match(*text, f)) {
            out.emplace_back(name);
        }
    }
    return out;
}

using Names = std::vector<std::string>;

// §7.8.1: events overlapping 2006-01-04 (abcd2's override and abcd3).
TEST(FilterRfc4791, B1EventsByTimeRange) {
    CompFilter ev = comp("VEVENT");
    ev.time_range = range(at(2006, 1, 4), at(2006, 1, 5));
    EXPECT_EQ(matching(under_vcalendar(ev)), (Names{"abcd2", "abcd3"}));
}

// §7.8.2/§7.8.3 use a range over two days of the recurring event.
TEST(FilterRfc4791, B2B3RecurringEventByTimeRange) {
    CompFilter ev = comp("VEVENT");
    ev.time_range = range(at(2006, 1, 3), at(2006, 1, 5));
    EXPECT_EQ(matching(under_vcalendar(ev)), (Names{"abcd2", "abcd3"}));
    ev.time_range = range(at(2006, 1, 7), at(2006, 1, 8));  // after COUNT=5 ended
    EXPECT_EQ(matching(under_vcalendar(ev)), Names{});
}

// §7.8.5: to-dos with an alarm in [2006-01-06T10:00Z, 2006-01-07T10:00Z).
TEST(FilterRfc4791, B5TodosByAlarmTimeRange) {
    CompFilter alarm = comp("VALARM");
    alarm.time_range = range(at(2006, 1, 6, 10), at(2006, 1, 7, 10));
    CompFilter todo = comp("VTODO");
    todo.comp_filters.push_back(alarm);
    EXPECT_EQ(matching(under_vcalendar(todo)), Names{"abcd5"});
    // abcd4's RELATED=END alarm fires at 2006-01-03T23:50Z (its DUE date, floating, in UTC).
    todo.comp_filters[0].time_range = range(at(2006, 1, 3, 23, 50), at(2006, 1, 3, 23, 51));
    EXPECT_EQ(matching(under_vcalendar(todo)), Names{"abcd4"});
}

// §7.8.6: event by UID.
TEST(FilterRfc4791, B6EventByUid) {
    PropFilter uid = prop("UID");
    uid.text_match = text("DC6C50A017428C5216A2F1CD@example.com", false, "i;octet");
    CompFilter ev = comp("VEVENT");
    ev.prop_filters.push_back(uid);
    EXPECT_EQ(matching(under_vcalendar(ev)), Names{"abcd3"});
}

// §7.8.7: events where lisa has not answered (ATTENDEE + PARTSTAT param-filter).
TEST(FilterRfc4791, B7EventsByPartstat) {
    ParamFilter partstat;
    partstat.name = "PARTSTAT";
    partstat.text_match = text("NEEDS-ACTION");
    PropFilter attendee = prop("ATTENDEE");
    attendee.text_match = text("mailto:lisa@example.com");
    attendee.param_filters.push_back(partstat);
    CompFilter ev = comp("VEVENT");
    ev.prop_filters.push_back(attendee);
    EXPECT_EQ(matching(under_vcalendar(ev)), Names{"abcd3"});
    // cyrus accepted: the same test on his address matches nothing (ANY instance
    // must pass both tests at once).
    ev.prop_filters[0].text_match = text("mailto:cyrus@example.com");
    EXPECT_EQ(matching(under_vcalendar(ev)), Names{});
}

// §7.8.8: events only.
TEST(FilterRfc4791, B8EventsOnly) {
    EXPECT_EQ(matching(under_vcalendar(comp("VEVENT"))), (Names{"abcd1", "abcd2", "abcd3"}));
    EXPECT_EQ(matching(under_vcalendar(comp("VFREEBUSY"))), Names{"abcd8"});
    EXPECT_EQ(matching(Filter{}), (Names{"abcd1", "abcd2", "abcd3", "abcd4", "abcd5", "abcd6",
                                         "abcd7", "abcd8"}));
}

// §7.8.9: pending to-dos: no COMPLETED and STATUS not CANCELLED.
TEST(FilterRfc4791, B9PendingTodos) {
    PropFilter completed = prop("COMPLETED");
    completed.is_not_defined = true;
    PropFilter status = prop("STATUS");
    status.text_match = text("CANCELLED", true);
    CompFilter todo = comp("VTODO");
    todo.prop_filters = {completed, status};
    EXPECT_EQ(matching(under_vcalendar(todo)), (Names{"abcd4", "abcd5"}));
}

// §7.8.10: an unsupported collation is refused, not silently mismatched.
TEST(FilterRfc4791, B10UnsupportedCollation) {
    PropFilter desc = prop("DESCRIPTION");
    desc.text_match = text("Go Steelers!", false, "i;unicode-casemap");
    CompFilter ev = comp("VEVENT");
    ev.prop_filters.push_back(desc);
    const Filter f = under_vcalendar(ev);
    EXPECT_EQ(find_unsupported_collation(f), "i;unicode-casemap");
    try {
        match(ex::kAbcd1, f);
        ADD_FAILURE() << "no exception";
    } catch (const UnsupportedFilter& e) {
        EXPECT_EQ(e.collation(), "i;unicode-casemap");
    }
    EXPECT_TRUE(supported_collation("i;octet"));
    EXPECT_TRUE(supported_collation("i;ascii-casemap"));
    EXPECT_TRUE(supported_collation(""));
    EXPECT_FALSE(supported_collation("i;ASCII-casemap2"));
    EXPECT_EQ(find_unsupported_collation(under_vcalendar(comp("VEVENT"))), std::nullopt);
}

TEST(FilterTextMatch, CollationsAndNegate) {
    const std::string ics = test::vevent("DTSTART:20250101T100000Z\nSUMMARY:Team Meeting\n");
    const auto summary = [&](TextMatch m) {
        PropFilter p = prop("SUMMARY");
        p.text_match = std::move(m);
        CompFilter ev = comp("VEVENT");
        ev.prop_filters.push_back(p);
        return match(ics, under_vcalendar(ev));
    };
    EXPECT_TRUE(summary(text("team meet")));                   // casemap, substring
    EXPECT_FALSE(summary(text("team meet", false, "i;octet")));  // octet is exact
    EXPECT_TRUE(summary(text("Team Meet", false, "i;octet")));
    EXPECT_TRUE(summary(text("", false, "i;octet")));           // empty always occurs
    EXPECT_FALSE(summary(text("TEAM", true)));                  // negate-condition
    EXPECT_TRUE(summary(text("lunch", true)));
    EXPECT_TRUE(summary(text("TEAM", true, "i;octet")));
}

TEST(FilterTextMatch, MatchesUnescapedText) {
    const std::string ics = test::vevent("DTSTART:20250101T100000Z\nSUMMARY:a\\, b\\; c\n");
    PropFilter p = prop("summary");  // names are case-insensitive
    p.text_match = text("a, b; c");
    CompFilter ev = comp("vevent");
    ev.prop_filters.push_back(p);
    EXPECT_TRUE(match(ics, under_vcalendar(ev)));
}

TEST(FilterTextMatch, NegateIsPerPropertyInstance) {
    // RFC 4791 §9.7.2: ANY ATTENDEE without "lisa" satisfies the negated match.
    PropFilter p = prop("ATTENDEE");
    p.text_match = text("lisa", true);
    CompFilter ev = comp("VEVENT");
    ev.prop_filters.push_back(p);
    EXPECT_TRUE(match(ex::kAbcd3, under_vcalendar(ev)));
    ev.prop_filters[0].text_match = text("example.com", true);
    EXPECT_FALSE(match(ex::kAbcd3, under_vcalendar(ev)));
    // No ATTENDEE at all: a prop-filter with a text-match needs the property.
    EXPECT_FALSE(match(ex::kAbcd1, under_vcalendar(ev)));
}

TEST(FilterIsNotDefined, PropParamAndComp) {
    PropFilter organizer = prop("ORGANIZER");
    organizer.is_not_defined = true;
    CompFilter ev = comp("VEVENT");
    ev.prop_filters.push_back(organizer);
    EXPECT_TRUE(match(ex::kAbcd1, under_vcalendar(ev)));
    EXPECT_FALSE(match(ex::kAbcd3, under_vcalendar(ev)));

    ParamFilter role;
    role.name = "ROLE";
    role.is_not_defined = true;
    PropFilter attendee = prop("ATTENDEE");
    attendee.param_filters.push_back(role);
    CompFilter ev2 = comp("VEVENT");
    ev2.prop_filters.push_back(attendee);
    EXPECT_TRUE(match(ex::kAbcd3, under_vcalendar(ev2)));  // lisa's has no ROLE

    CompFilter no_events = comp("VEVENT");
    no_events.is_not_defined = true;
    EXPECT_TRUE(match(ex::kAbcd4, under_vcalendar(no_events)));
    EXPECT_FALSE(match(ex::kAbcd1, under_vcalendar(no_events)));

    CompFilter no_alarm = comp("VALARM");
    no_alarm.is_not_defined = true;
    CompFilter todo = comp("VTODO");
    todo.comp_filters.push_back(no_alarm);
    EXPECT_TRUE(match(ex::kAbcd6, under_vcalendar(todo)));
    EXPECT_FALSE(match(ex::kAbcd5, under_vcalendar(todo)));
}

TEST(FilterRoot, MustBeVcalendar) {
    Filter f;
    f.root.name = "VEVENT";
    EXPECT_FALSE(match(ex::kAbcd1, f));
    Filter g;
    g.root.is_not_defined = true;
    EXPECT_FALSE(match(ex::kAbcd1, g));
    // Properties of the VCALENDAR itself can be filtered too.
    Filter h;
    PropFilter version = prop("VERSION");
    version.text_match = text("2.0");
    h.root.prop_filters.push_back(version);
    EXPECT_TRUE(match(ex::kAbcd1, h));
}

TEST(FilterParam, XParameterAndTextMatch) {
    const std::string ics =
        test::vevent("DTSTART:20250101T100000Z\nX-FOO;X-KIND=\"Special\":value\n");
    ParamFilter kind;
    kind.name = "X-KIND";
    kind.text_match = text("special");
    PropFilter x = prop("X-FOO");
    x.param_filters.push_back(kind);
    CompFilter ev = comp("VEVENT");
    ev.prop_filters.push_back(x);
    EXPECT_TRUE(match(ics, under_vcalendar(ev)));
    ev.prop_filters[0].param_filters[0].text_match = text("special", false, "i;octet");
    EXPECT_FALSE(match(ics, under_vcalendar(ev)));
}

// Overrides are matched on their own DTSTART and the master only on the
// instances it still owns (RFC 4791 §9.9, CLIENTS.md §1.3).
TEST(FilterTimeRange, OverrideMatchedOnItsOwnComponent) {
    // abcd2: the Jan 4 instance moved from 17:00Z to 19:00Z and was renamed.
    PropFilter bis = prop("SUMMARY");
    bis.text_match = text("Event #2 bis");
    CompFilter ev = comp("VEVENT");
    ev.time_range = range(at(2006, 1, 4, 19), at(2006, 1, 4, 20));
    ev.prop_filters.push_back(bis);
    EXPECT_TRUE(match(ex::kAbcd2, under_vcalendar(ev)));
    // The moved-away slot belongs to nobody.
    ev.time_range = range(at(2006, 1, 4, 17), at(2006, 1, 4, 18));
    EXPECT_FALSE(match(ex::kAbcd2, under_vcalendar(ev)));
    ev.prop_filters.clear();
    EXPECT_FALSE(match(ex::kAbcd2, under_vcalendar(ev)));
    // The master's own instances carry the master's SUMMARY, not the override's.
    ev.time_range = range(at(2006, 1, 5, 17), at(2006, 1, 5, 18));
    ev.prop_filters.push_back(bis);
    EXPECT_FALSE(match(ex::kAbcd2, under_vcalendar(ev)));
}

TEST(FilterTimeRange, ExdateRdateAndOpenEnds) {
    const std::string ics = test::vevent(
        "DTSTART:20250106T090000Z\nDURATION:PT1H\nRRULE:FREQ=WEEKLY;COUNT=3\n"
        "EXDATE:20250113T090000Z\nRDATE:20250301T090000Z\n");
    CompFilter ev = comp("VEVENT");
    ev.time_range = range(at(2025, 1, 13), at(2025, 1, 14));
    EXPECT_FALSE(match(ics, under_vcalendar(ev)));  // excluded
    ev.time_range = range(at(2025, 3, 1), at(2025, 3, 2));
    EXPECT_TRUE(match(ics, under_vcalendar(ev)));  // RDATE
    ev.time_range = TimeRange{at(2025, 3, 2), std::nullopt};
    EXPECT_FALSE(match(ics, under_vcalendar(ev)));  // nothing after
    ev.time_range = TimeRange{std::nullopt, at(2025, 1, 6, 9, 30)};
    EXPECT_TRUE(match(ics, under_vcalendar(ev)));  // open start
}

TEST(FilterTimeRange, FloatingTimesUseDefaultZone) {
    const std::string ics = test::vevent("DTSTART:20250110T100000\nDTEND:20250110T110000\n");
    CompFilter ev = comp("VEVENT");
    ev.time_range = range(at(2025, 1, 10, 9), at(2025, 1, 10, 10));
    EXPECT_TRUE(match(ics, under_vcalendar(ev), "Europe/Berlin"));  // 09:00Z-10:00Z
    EXPECT_FALSE(match(ics, under_vcalendar(ev)));                   // UTC: 10:00Z-11:00Z
}

TEST(FilterTimeRange, VfreebusyByPeriodsWithoutDtstart) {
    const std::string ics = test::vcalendar(
        "BEGIN:VFREEBUSY\nUID:fb\nDTSTAMP:20250101T000000Z\n"
        "FREEBUSY:20250110T100000Z/PT1H\nEND:VFREEBUSY\n");
    CompFilter fb = comp("VFREEBUSY");
    fb.time_range = range(at(2025, 1, 10, 10, 30), at(2025, 1, 10, 12));
    EXPECT_TRUE(match(ics, under_vcalendar(fb)));
    fb.time_range = range(at(2025, 1, 10, 11), at(2025, 1, 10, 12));
    EXPECT_FALSE(match(ics, under_vcalendar(fb)));
    // abcd8 has DTSTART/DTEND: those decide.
    fb.time_range = range(at(2006, 1, 7, 23), at(2006, 1, 9));
    EXPECT_TRUE(match(ex::kAbcd8, under_vcalendar(fb)));
    fb.time_range = range(at(2006, 1, 8), at(2006, 1, 9));  // start <= DTEND: closed
    EXPECT_TRUE(match(ex::kAbcd8, under_vcalendar(fb)));
    fb.time_range = range(at(2006, 1, 8, 0, 0, 1), at(2006, 1, 9));
    EXPECT_FALSE(match(ex::kAbcd8, under_vcalendar(fb)));
}

CompFilter event_with_alarm(TimePoint s, TimePoint e) {
    CompFilter alarm = comp("VALARM");
    alarm.time_range = range(s, e);
    CompFilter ev = comp("VEVENT");
    ev.comp_filters.push_back(alarm);
    return ev;
}

TEST(FilterValarm, RelativeToEachInstanceOfARecurringParent) {
    const std::string ics = test::vevent(
        "DTSTART:20250106T090000Z\nDTEND:20250106T100000Z\nRRULE:FREQ=DAILY\n"
        "BEGIN:VALARM\nACTION:DISPLAY\nDESCRIPTION:x\nTRIGGER:-PT15M\nEND:VALARM\n");
    // The 100th instance's alarm, far from DTSTART.
    EXPECT_TRUE(match(ics, under_vcalendar(event_with_alarm(at(2025, 4, 15, 8, 45),
                                                            at(2025, 4, 15, 8, 46)))));
    EXPECT_FALSE(match(ics, under_vcalendar(event_with_alarm(at(2025, 4, 15, 8, 46),
                                                             at(2025, 4, 15, 9)))));
    // Before the first instance nothing fires.
    EXPECT_FALSE(match(ics, under_vcalendar(event_with_alarm(at(2025, 1, 5), at(2025, 1, 6, 8)))));
}

TEST(FilterValarm, RelatedEndRepeatAndAbsolute) {
    const std::string related_end = test::vevent(
        "DTSTART:20250106T090000Z\nDTEND:20250106T100000Z\n"
        "BEGIN:VALARM\nACTION:AUDIO\nTRIGGER;RELATED=END:PT5M\nREPEAT:2\nDURATION:PT10M\n"
        "END:VALARM\n");
    // Triggers at 10:05, 10:15, 10:25.
    for (int minute : {5, 15, 25}) {
        EXPECT_TRUE(match(related_end, under_vcalendar(event_with_alarm(
                                           at(2025, 1, 6, 10, minute),
                                           at(2025, 1, 6, 10, minute + 1)))))
            << minute;
    }
    EXPECT_FALSE(match(related_end, under_vcalendar(event_with_alarm(at(2025, 1, 6, 10, 6),
                                                                     at(2025, 1, 6, 10, 15)))));
    EXPECT_FALSE(match(related_end, under_vcalendar(event_with_alarm(at(2025, 1, 6, 10, 26),
                                                                     at(2025, 1, 7)))));

    const std::string absolute = test::vevent(
        "DTSTART:20250106T090000Z\nDTEND:20250106T100000Z\n"
        "BEGIN:VALARM\nACTION:AUDIO\nTRIGGER;VALUE=DATE-TIME:20250101T120000Z\nEND:VALARM\n");
    EXPECT_TRUE(match(absolute, under_vcalendar(event_with_alarm(at(2025, 1, 1, 12),
                                                                 at(2025, 1, 1, 13)))));
    EXPECT_FALSE(match(absolute, under_vcalendar(event_with_alarm(at(2025, 1, 6),
                                                                  at(2025, 1, 7)))));
}

TEST(FilterValarm, OverrideAlarmUsesOverrideTimes) {
    const std::string ics = test::vcalendar(
        "BEGIN:VEVENT\nUID:r\nDTSTAMP:20250101T000000Z\nDTSTART:20250106T090000Z\n"
        "DURATION:PT1H\nRRULE:FREQ=DAILY;COUNT=3\n"
        "BEGIN:VALARM\nACTION:AUDIO\nTRIGGER:-PT10M\nEND:VALARM\nEND:VEVENT\n"
        "BEGIN:VEVENT\nUID:r\nDTSTAMP:20250101T000000Z\nRECURRENCE-ID:20250107T090000Z\n"
        "DTSTART:20250107T150000Z\nDURATION:PT1H\n"
        "BEGIN:VALARM\nACTION:AUDIO\nTRIGGER:-PT10M\nEND:VALARM\nEND:VEVENT\n");
    EXPECT_TRUE(match(ics, under_vcalendar(event_with_alarm(at(2025, 1, 7, 14, 50),
                                                            at(2025, 1, 7, 14, 51)))));
    EXPECT_FALSE(match(ics, under_vcalendar(event_with_alarm(at(2025, 1, 7, 8, 50),
                                                             at(2025, 1, 7, 8, 51)))));
    EXPECT_TRUE(match(ics, under_vcalendar(event_with_alarm(at(2025, 1, 8, 8, 50),
                                                            at(2025, 1, 8, 8, 51)))));
}

TEST(FilterPropTimeRange, DateTimeDateAndPeriod) {
    PropFilter dtstamp = prop("DTSTAMP");
    dtstamp.time_range = range(at(2006, 2, 6), at(2006, 2, 7));
    CompFilter ev = comp("VEVENT");
    ev.prop_filters.push_back(dtstamp);
    EXPECT_EQ(matching(under_vcalendar(ev)), (Names{"abcd1", "abcd2", "abcd3"}));
    ev.prop_filters[0].time_range = range(at(2006, 2, 6, 0, 11, 3), at(2006, 2, 7));
    EXPECT_EQ(matching(under_vcalendar(ev)), (Names{"abcd2", "abcd3"}));  // start <= value

    PropFilter due = prop("DUE");  // DATE: covers the whole day
    due.time_range = range(at(2006, 1, 4, 23), at(2006, 1, 5));
    CompFilter todo = comp("VTODO");
    todo.prop_filters.push_back(due);
    EXPECT_EQ(matching(under_vcalendar(todo)), Names{"abcd4"});

    PropFilter fb = prop("FREEBUSY");
    fb.time_range = range(at(2006, 1, 5, 11), at(2006, 1, 5, 11, 30));
    CompFilter vfb = comp("VFREEBUSY");
    vfb.prop_filters.push_back(fb);
    EXPECT_EQ(matching(under_vcalendar(vfb)), Names{"abcd8"});
    vfb.prop_filters[0].time_range = range(at(2006, 1, 5, 12), at(2006, 1, 5, 13));
    EXPECT_EQ(matching(under_vcalendar(vfb)), Names{});
}

TEST(FilterPrefilter, Hints) {
    CompFilter ev = comp("VEVENT");
    ev.time_range = range(at(2006, 1, 4), at(2006, 1, 5));
    const PrefilterHints h = prefilter_hints(under_vcalendar(ev));
    EXPECT_EQ(h.component, "VEVENT");
    ASSERT_TRUE(h.range.has_value());
    EXPECT_EQ(h.range->start, at(2006, 1, 4));
    EXPECT_EQ(h.range->end, at(2006, 1, 5));

    EXPECT_EQ(prefilter_hints(under_vcalendar(comp("vtodo"))).component, "VTODO");
    EXPECT_FALSE(prefilter_hints(under_vcalendar(comp("VTODO"))).range.has_value());
    EXPECT_EQ(prefilter_hints(Filter{}).component, "");
    CompFilter negated = comp("VEVENT");
    negated.is_not_defined = true;
    EXPECT_EQ(prefilter_hints(under_vcalendar(negated)).component, "");
    EXPECT_EQ(prefilter_hints(under_vcalendar(comp("VTIMEZONE"))).component, "");
}

}  // namespace
}  // namespace cosmo::ical
