#pragma once
/// A parsed iCalendar object (RFC 5545) and the violation values every check
/// in this module returns. libical stays behind the opaque Calendar type.

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cosmo::ical {

/// A point in time, UTC, to the second (iCalendar has no finer resolution).
using TimePoint = std::chrono::sys_seconds;
/// "Since forever": the start of an instance that matches every range (RFC 4791 §9.9).
inline constexpr TimePoint kMinTime = TimePoint::min();
/// "Until forever": the end of an unbounded recurrence (DESIGN.md, storage principles).
inline constexpr TimePoint kMaxTime = TimePoint::max();

/// The CalDAV precondition a violation maps to (RFC 4791 §5.3.2, §5.2.6, §5.2.7).
enum class Precondition {
    kValidCalendarData,            ///< CALDAV:valid-calendar-data: not parsable iCalendar
    kValidCalendarObjectResource,  ///< CALDAV:valid-calendar-object-resource: §4.1 rules
    kSupportedComponent,           ///< CALDAV:supported-calendar-component
    kMinDateTime,                  ///< CALDAV:min-date-time
    kMaxDateTime,                  ///< CALDAV:max-date-time
};

/// One reason an object is refused; `reason` is short and safe to show a client.
struct Violation {
    Precondition kind;   ///< which precondition element to report
    std::string reason;  ///< e.g. "VEVENT without DTSTART"

    /// Memberwise equality.
    friend bool operator==(const Violation&, const Violation&) = default;
};

namespace detail {
/// The libical side of a Calendar (src/ical/detail.hpp).
struct CalendarImpl;
}  // namespace detail

/// A parsed VCALENDAR. Movable, not copyable.
///
/// Thread safety: one Calendar may be used by one thread at a time (even const
/// use updates libical's per-zone caches); distinct Calendars are independent.
class Calendar {
public:
    /// Takes ownership of a parsed tree (used by parse()).
    explicit Calendar(std::unique_ptr<detail::CalendarImpl> impl);
    /// Moves the tree; the source is left empty.
    Calendar(Calendar&&) noexcept;
    /// Moves the tree; the source is left empty.
    Calendar& operator=(Calendar&&) noexcept;
    /// Frees the tree and its time zones.
    ~Calendar();

    /// The libical tree and its time zones (for this module's own code).
    const detail::CalendarImpl& impl() const { return *impl_; }

private:
    std::unique_ptr<detail::CalendarImpl> impl_;
};

/// The result of parse(): a calendar, or the reasons there is none.
struct ParseResult {
    std::optional<Calendar> calendar;  ///< set exactly when violations is empty
    std::vector<Violation> violations; ///< all of kind kValidCalendarData

    /// True when the text parsed into a usable VCALENDAR.
    bool ok() const { return calendar.has_value(); }
};

/// Parses one iCalendar object: it must be a single VCALENDAR with VERSION:2.0
/// (PRODID is not required: many clients omit it) and libical must not have
/// embedded any X-LIC-ERROR property anywhere in the tree. Never throws for bad
/// input.
ParseResult parse(std::string_view text);

/// parse(), except that a top-level VTIMEZONE whose text is word for word
/// one this process has already parsed into a shared zone is not parsed
/// again: its zone is taken from the shared cache and the component is not
/// in the tree. It accepts and refuses exactly what parse() does (the
/// cached text parsed without error once), and validate_calendar_object()
/// and summarize() give the same answers, since they take zones from the
/// calendar's zones, not from the tree's VTIMEZONEs. For the PUT checks:
/// clients send the same VTIMEZONE with every event, and it was about a
/// third of a seeded event's lines (Apple's and Evolution's are longer).
/// Not for anything that serializes the tree.
ParseResult parse_for_checks(std::string_view text);

/// Parses only what decides when an object's components happen and whether
/// they are busy (DTSTART, DTEND, DURATION, DUE, COMPLETED, CREATED, RRULE,
/// RDATE, EXDATE, RECURRENCE-ID, UID, TRANSP, STATUS, FREEBUSY, the
/// VTIMEZONEs), for component_instances() and busy_periods() on objects
/// that parse() accepted when they were stored. A calendar-query's
/// first look at an object is mostly parsing (docs/performance.md), and
/// most of an object's lines (ATTENDEE, DESCRIPTION, VALARM, a VTIMEZONE
/// whose zone is already shared) do not bear on its time. The result is
/// for time only: properties left out read as absent.
ParseResult parse_times(std::string_view text);

}  // namespace cosmo::ical
