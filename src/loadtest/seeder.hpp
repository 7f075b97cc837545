#pragma once
// `seed`: PUTs every user's seeded objects over HTTP (the honest path: the
// server validates and indexes each as a client's PUT), with many
// connections at once.

#include "workload.hpp"

#include <boost/json/value.hpp>

#include <map>
#include <string>

namespace cosmo::loadtest {

/// What seeding did.
struct SeedResult {
    std::uint64_t created = 0;       ///< 201
    std::uint64_t existed = 0;       ///< 412: already there (a re-run)
    std::map<std::string, std::uint64_t> errors;  ///< other statuses, "io"
    std::uint64_t bytes = 0;         ///< body bytes sent
    double seconds = 0;              ///< wall time
    Histogram latency;               ///< per PUT
};

/// Seeds users [first_user, options.users) with options.events objects
/// each, on `concurrency` connections; prints progress to stderr.
SeedResult seed_events(Workload& workload, int concurrency, int first_user, bool progress);

/// The result as JSON.
boost::json::value to_json(const SeedResult& result);

}  // namespace cosmo::loadtest
