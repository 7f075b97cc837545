/// DavError, the precondition table and the store-error mapping.

#include "cosmo/dav/error.hpp"

#include <array>

#include "cosmo/xml/writer.hpp"

namespace cosmo::dav {

namespace {

struct PreconditionRow {
    Precondition id;
    std::string_view ns;
    std::string_view local;
    std::string_view rfc;
};

/// One row per precondition, grouped by RFC (Cyrus preconds[]).
constexpr std::array kPreconditions = {
    PreconditionRow{Precondition::kLockTokenMatchesRequestUri, xml::ns::kDav,
                    "lock-token-matches-request-uri", "RFC 4918 §9.11.1"},
    PreconditionRow{Precondition::kLockTokenSubmitted, xml::ns::kDav, "lock-token-submitted",
                    "RFC 4918 §16"},
    PreconditionRow{Precondition::kNoConflictingLock, xml::ns::kDav, "no-conflicting-lock",
                    "RFC 4918 §16"},
    PreconditionRow{Precondition::kNoExternalEntities, xml::ns::kDav, "no-external-entities",
                    "RFC 4918 §16"},
    PreconditionRow{Precondition::kPreservedLiveProperties, xml::ns::kDav,
                    "preserved-live-properties", "RFC 4918 §16"},
    PreconditionRow{Precondition::kPropfindFiniteDepth, xml::ns::kDav, "propfind-finite-depth",
                    "RFC 4918 §9.1"},
    PreconditionRow{Precondition::kCannotModifyProtectedProperty, xml::ns::kDav,
                    "cannot-modify-protected-property", "RFC 4918 §9.2"},
    PreconditionRow{Precondition::kSupportedReport, xml::ns::kDav, "supported-report",
                    "RFC 3253 §3.6"},
    PreconditionRow{Precondition::kValidResourcetype, xml::ns::kDav, "valid-resourcetype",
                    "RFC 5689 §3"},
    PreconditionRow{Precondition::kQuotaNotExceeded, xml::ns::kDav, "quota-not-exceeded",
                    "RFC 4331 §6"},
    PreconditionRow{Precondition::kValidSyncToken, xml::ns::kDav, "valid-sync-token",
                    "RFC 6578 §3.2"},
    PreconditionRow{Precondition::kNumberOfMatchesWithinLimits, xml::ns::kDav,
                    "number-of-matches-within-limits", "RFC 5323 §3"},
    PreconditionRow{Precondition::kCalendarCollectionLocationOk, xml::ns::kCalDav,
                    "calendar-collection-location-ok", "RFC 4791 §5.3.1"},
    PreconditionRow{Precondition::kValidCalendarData, xml::ns::kCalDav, "valid-calendar-data",
                    "RFC 4791 §5.3.2"},
    PreconditionRow{Precondition::kValidCalendarObjectResource, xml::ns::kCalDav,
                    "valid-calendar-object-resource", "RFC 4791 §5.3.2"},
    PreconditionRow{Precondition::kSupportedCalendarData, xml::ns::kCalDav,
                    "supported-calendar-data", "RFC 4791 §5.3.2"},
    PreconditionRow{Precondition::kSupportedCalendarComponent, xml::ns::kCalDav,
                    "supported-calendar-component", "RFC 4791 §5.3.2"},
    PreconditionRow{Precondition::kNoUidConflict, xml::ns::kCalDav, "no-uid-conflict",
                    "RFC 4791 §5.3.2"},
    PreconditionRow{Precondition::kMaxResourceSize, xml::ns::kCalDav, "max-resource-size",
                    "RFC 4791 §5.3.2"},
    PreconditionRow{Precondition::kMinDateTime, xml::ns::kCalDav, "min-date-time",
                    "RFC 4791 §5.3.2"},
    PreconditionRow{Precondition::kMaxDateTime, xml::ns::kCalDav, "max-date-time",
                    "RFC 4791 §5.3.2"},
    PreconditionRow{Precondition::kMaxInstances, xml::ns::kCalDav, "max-instances",
                    "RFC 4791 §5.3.2"},
    PreconditionRow{Precondition::kMaxAttendeesPerInstance, xml::ns::kCalDav,
                    "max-attendees-per-instance", "RFC 4791 §5.3.2"},
    PreconditionRow{Precondition::kSupportedFilter, xml::ns::kCalDav, "supported-filter",
                    "RFC 4791 §7.7"},
    PreconditionRow{Precondition::kValidFilter, xml::ns::kCalDav, "valid-filter",
                    "RFC 4791 §7.8"},
    PreconditionRow{Precondition::kSupportedCollation, xml::ns::kCalDav, "supported-collation",
                    "RFC 4791 §7.5.1"},
    PreconditionRow{Precondition::kSupportedCalendarDataReport, xml::ns::kCalDav,
                    "supported-calendar-data", "RFC 4791 §9.6"},
};

constexpr bool table_in_enum_order() {
    for (std::size_t i = 0; i < kPreconditions.size(); ++i) {
        if (static_cast<std::size_t>(kPreconditions[i].id) != i) {
            return false;
        }
    }
    return true;
}
static_assert(table_in_enum_order(), "kPreconditions must list Precondition in enum order");

}  // namespace

xml::QName precondition_name(Precondition p) {
    const PreconditionRow& row = kPreconditions.at(static_cast<std::size_t>(p));
    return {std::string(row.ns), std::string(row.local)};
}

DavError::DavError(http::Status status, std::optional<Precondition> precondition,
                   std::string description, std::string detail)
    : std::runtime_error(detail.empty() ? description : detail),
      status_(status),
      precondition_(precondition),
      description_(std::move(description)) {}

DavError DavError::bad_request(std::string description) {
    return DavError(http::Status::bad_request, std::nullopt, std::move(description));
}

DavError DavError::forbidden(std::optional<Precondition> p, std::string description) {
    return DavError(http::Status::forbidden, p, std::move(description));
}

DavError DavError::not_found() {
    return DavError(http::Status::not_found, std::nullopt, "Not found");
}

DavError DavError::conflict(std::string description) {
    return DavError(http::Status::conflict, std::nullopt, std::move(description));
}

DavError DavError::precondition_failed(std::string description) {
    return DavError(http::Status::precondition_failed, std::nullopt, std::move(description));
}

DavError DavError::locked(Precondition p, std::string href) {
    DavError e(http::Status::locked, p, "The resource is locked");
    e.with_href(std::move(href));
    return e;
}

DavError to_dav_error(const store::Error& error) {
    using store::Errc;
    switch (error.code()) {
        case Errc::kNotFound:
            return DavError(http::Status::not_found, std::nullopt, "Not found", error.what());
        case Errc::kAlreadyExists:
            return DavError(http::Status::method_not_allowed, std::nullopt,
                            "The resource already exists", error.what());
        case Errc::kConflict:
            return DavError(http::Status::conflict, std::nullopt,
                            "The parent collection does not exist", error.what());
        case Errc::kUidConflict:
            // The store's own check names the holder (PUT adds it as the
            // href); a concurrent writer caught by the unique index leaves
            // it unknown (RFC 4791 §5.3.2 makes it optional).
            return DavError(http::Status::conflict, Precondition::kNoUidConflict,
                            "Another resource of the collection has this UID", error.what());
        case Errc::kChanged:
            // RFC 9110 §13.1: the condition was true when judged, but a
            // concurrent write changed the resource before ours could land.
            return DavError(http::Status::precondition_failed, std::nullopt,
                            "The resource changed while the request was served", error.what());
        case Errc::kShardUnavailable:
        case Errc::kRetryable:
            return DavError(http::Status::service_unavailable, std::nullopt,
                            "Temporarily unavailable, retry later", error.what())
                .with_retry_after(5);
        case Errc::kReadOnly:
            // Maintenance or a move of this user's home: a move keeps writes
            // out for a few seconds only (docs/operations.md).
            return DavError(http::Status::service_unavailable, std::nullopt,
                            "Read-only for a moment, retry later", error.what())
                .with_retry_after(2);
        case Errc::kMoved:
            // Still moved after a fresh directory lookup: the directory and
            // the shard disagree for a moment (a move is finishing).
            return DavError(http::Status::service_unavailable, std::nullopt,
                            "Temporarily unavailable, retry later", error.what())
                .with_retry_after(1);
        case Errc::kInternal:
            break;
    }
    return DavError(http::Status::internal_server_error, std::nullopt, "Internal error",
                    error.what());
}

http::Response error_response(const http::Request& request, const DavError& error) {
    if (!error.precondition()) {
        http::Response res =
            http::make_response(request, error.status(), error.description() + "\n");
        if (error.retry_after() > 0) {
            res.set(http::Field::retry_after, std::to_string(error.retry_after()));
        }
        return res;
    }
    // RFC 4918 §8.7: <D:error> names the failed precondition; the human text
    // goes into a responsedescription-like extension element of our own.
    xml::Writer w;
    w.start(xml::dav("error"));
    w.start(precondition_name(*error.precondition()));
    if (!error.href().empty()) {
        w.leaf(xml::dav("href"), error.href());
    }
    w.end();
    w.end();
    http::Response res = http::make_response(request, error.status(), w.finish(),
                                             "application/xml; charset=utf-8");
    if (error.retry_after() > 0) {
        res.set(http::Field::retry_after, std::to_string(error.retry_after()));
    }
    return res;
}

}  // namespace cosmo::dav
