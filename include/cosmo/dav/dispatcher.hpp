#pragma once
/// The WebDAV engine's entry point: one Handler for every public request
/// after authentication.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "cosmo/dav/listing_cache.hpp"
#include "cosmo/dav/object_cache.hpp"
#include "cosmo/dav/registry.hpp"
#include "cosmo/http/message.hpp"
#include "cosmo/store/directory.hpp"
#include "cosmo/store/shard_store.hpp"
#include "cosmo/xml/reader.hpp"

namespace cosmo::dav {

struct Options {
    /// External path prefix when served below a path behind a proxy, e.g.
    /// "/dav" (no trailing slash); "" at the root. Every href and redirect
    /// carries it; incoming request targets carry it too (a proxy forwards
    /// the full path).
    std::string prefix;
    std::size_t max_resource_size = 10 * 1024 * 1024;
    xml::Limits xml_limits;
    std::int64_t max_lock_timeout_seconds = 7 * 24 * 3600;
    std::int64_t default_lock_timeout_seconds = 3600;
    std::int64_t quota_bytes = 1024LL * 1024 * 1024;  ///< per user, for quota-available-bytes
    /// Member listings kept for repeated PROPFIND Depth 1 / initial syncs
    /// (listing_cache.hpp); nullptr: none kept.
    std::shared_ptr<ListingCache> listing_cache;
    /// Objects kept by collection revision for reports that read bodies by
    /// name (object_cache.hpp, Call::read_objects); nullptr: none kept.
    std::shared_ptr<ObjectCache> object_cache;
};

class Dispatcher : public http::Handler {
public:
    /// directory should be a caching one (store::CachedDirectory). Serves the
    /// plain WebDAV rows (default_registries()).
    Dispatcher(Options options, store::Directory& directory, store::ShardStore& shards);
    /// The same with registries extended by other modules (CalDAV).
    Dispatcher(Options options, store::Directory& directory, store::ShardStore& shards,
               Registries registries);
    ~Dispatcher() override;

    /// Expects context.user to be set (authentication ran before).
    http::Response handle(http::Request& request, http::RequestContext& context) const override;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace cosmo::dav
