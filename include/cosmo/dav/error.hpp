#pragma once
/// The one error type of the DAV layer: an HTTP status, an optional RFC
/// precondition element, a client-safe description and a log-only detail.
/// The dispatcher serialises it in one place (error.cpp).

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "cosmo/http/message.hpp"
#include "cosmo/store/error.hpp"
#include "cosmo/xml/qname.hpp"

namespace cosmo::dav {

/// Pre- and postconditions named by the RFCs. One row each in kPreconditions
/// (error.cpp); the order of the two must match (static_assert there).
enum class Precondition {
    // RFC 4918 §16
    kLockTokenMatchesRequestUri,
    kLockTokenSubmitted,
    kNoConflictingLock,
    kNoExternalEntities,
    kPreservedLiveProperties,
    kPropfindFiniteDepth,
    kCannotModifyProtectedProperty,
    // RFC 3253 §3.6 (REPORT)
    kSupportedReport,
    // RFC 5689 §3 (extended MKCOL)
    kValidResourcetype,
    // RFC 4331 §6 (quota)
    kQuotaNotExceeded,
    // RFC 6578 §3.2 (sync-collection), for the report registry's users
    kValidSyncToken,
    // RFC 5323 §3 (used by RFC 6578 §3.6 for a truncated result)
    kNumberOfMatchesWithinLimits,
    // RFC 4791 §5.3.1 (MKCALENDAR)
    kCalendarCollectionLocationOk,
    // RFC 4791 §5.3.2 (PUT, COPY, MOVE into calendar collections)
    kValidCalendarData,
    kValidCalendarObjectResource,
    kSupportedCalendarData,
    kSupportedCalendarComponent,
    kNoUidConflict,
    kMaxResourceSize,
    kMinDateTime,
    kMaxDateTime,
    kMaxInstances,
    kMaxAttendeesPerInstance,
    // RFC 4791 §7.5-§7.8 (REPORTs)
    kSupportedFilter,
    kValidFilter,
    kSupportedCollation,
    kSupportedCalendarDataReport,
};

/// The element name of a precondition.
xml::QName precondition_name(Precondition p);

/// Thrown by handlers; turned into a response by the dispatcher only.
class DavError : public std::runtime_error {
public:
    DavError(http::Status status, std::optional<Precondition> precondition,
             std::string description, std::string detail = {});

    http::Status status() const noexcept { return status_; }
    const std::optional<Precondition>& precondition() const noexcept { return precondition_; }
    /// Safe to show to the client.
    const std::string& description() const noexcept { return description_; }
    /// The href carried inside the precondition element (lock-token-submitted,
    /// no-conflicting-lock), already prefixed and encoded; empty if none.
    const std::string& href() const noexcept { return href_; }
    DavError& with_href(std::string href) {
        href_ = std::move(href);
        return *this;
    }
    /// Seconds for a Retry-After header (503s); 0 = none.
    int retry_after() const noexcept { return retry_after_; }
    DavError& with_retry_after(int seconds) {
        retry_after_ = seconds;
        return *this;
    }

    /// Named factories for the common cases.
    static DavError bad_request(std::string description);
    static DavError forbidden(std::optional<Precondition> p, std::string description);
    static DavError not_found();
    static DavError conflict(std::string description);
    static DavError precondition_failed(std::string description);
    static DavError locked(Precondition p, std::string href);

private:
    http::Status status_;
    std::optional<Precondition> precondition_;
    std::string description_;
    std::string href_;
    int retry_after_ = 0;
};

/// The one mapping of store error codes to DAV errors (DESIGN.md §3.4).
DavError to_dav_error(const store::Error& error);

/// The response for an error: <D:error> body when a precondition is named,
/// else a short text body.
http::Response error_response(const http::Request& request, const DavError& error);

}  // namespace cosmo::dav
