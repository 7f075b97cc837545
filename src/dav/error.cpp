/// DavError, the precondition table and the store-error mapping.

#include "error.hpp"

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
        case Errc::kShardUnavailable:
        case Errc::kRetryable:
        case Errc::kReadOnly:
            return DavError(http::Status::service_unavailable, std::nullopt,
                            "Temporarily unavailable, retry later", error.what())
                .with_retry_after(5);
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
