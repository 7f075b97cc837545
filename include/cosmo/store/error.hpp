#pragma once
/// Errors that the storage layer reports. The DAV layer maps each code to an
/// HTTP status in one place (dav/store_errors.cpp).

#include <stdexcept>
#include <string>

namespace cosmo::store {

enum class Errc {
    kNotFound,          ///< the named thing does not exist
    kAlreadyExists,     ///< a unique name is taken
    kConflict,          ///< parent missing, or a collection where an object is needed
    kUidConflict,       ///< another object of the collection has that UID (RFC 4791 §5.3.2)
    kChanged,           ///< a conditional write found the object changed meanwhile (412)
    kShardUnavailable,  ///< the shard cannot be reached (503 + Retry-After)
    kRetryable,         ///< serialization failure after retries (503)
    kReadOnly,          ///< shard or user is read-only (move in progress, maintenance) (503)
    kMoved,             ///< the owner's home is not (or no longer) on this shard: the
                        ///< route was stale; look the user up again (scale-out fencing)
    kInternal,          ///< anything else (500)
};

/// Thrown by store implementations. what() is for logs, never for clients.
class Error : public std::runtime_error {
public:
    Error(Errc code, const std::string& detail) : std::runtime_error(detail), code_(code) {}
    /// With the home-relative path of the resource the error names: for
    /// kUidConflict, the object that holds the UID (when known).
    Error(Errc code, const std::string& detail, std::string path)
        : std::runtime_error(detail), code_(code), path_(std::move(path)) {}
    Errc code() const noexcept { return code_; }
    const std::string& path() const noexcept { return path_; }

private:
    Errc code_;
    std::string path_;
};

}  // namespace cosmo::store
