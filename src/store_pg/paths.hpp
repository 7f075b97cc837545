#pragma once
/// Home-relative resource paths (store::Resource::path): "" is the home,
/// "a/b/" a collection, "a/b/x.ics" an object.

#include <string>

namespace cosmo::store_pg::detail {

/// True for "" and for paths ending in '/'.
inline bool is_collection_path(const std::string& path) {
    return path.empty() || path.back() == '/';
}

/// Well-formed: no leading '/', no empty segment.
inline bool is_valid_path(const std::string& path) {
    return (path.empty() || path.front() != '/') && path.find("//") == std::string::npos;
}

/// The parent collection path: "a/b/" -> "a/", "a/x" -> "a/", "x" -> "".
/// Undefined for "" (the home has no parent).
inline std::string parent_of(const std::string& path) {
    const std::string trimmed =
        is_collection_path(path) ? path.substr(0, path.size() - 1) : path;
    const auto slash = trimmed.rfind('/');
    return slash == std::string::npos ? std::string() : trimmed.substr(0, slash + 1);
}

/// The last segment as a change_log member name: "a/b/" -> "b/", "a/x" -> "x".
inline std::string leaf_of(const std::string& path) {
    return path.substr(parent_of(path).size());
}

/// True when path is at or below the collection path prefix.
inline bool is_within(const std::string& path, const std::string& prefix) {
    return path.compare(0, prefix.size(), prefix) == 0;
}

}  // namespace cosmo::store_pg::detail
