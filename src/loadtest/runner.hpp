#pragma once
// Runs one operation for a fixed time on N connections, closed loop (each
// connection sends as fast as answers come) or open loop (a fixed arrival
// rate; latency counts from the intended send time, so a slow server cannot
// hide its queue: no coordinated omission).

#include "workload.hpp"

#include <boost/json/value.hpp>

#include <ostream>
#include <string>
#include <vector>

namespace cosmo::loadtest {

/// The measured result of one operation.
struct OpResult {
    std::string op;          ///< operation name
    std::string mode;        ///< "closed" or "open"
    int connections = 0;     ///< connections used
    double rate = 0;         ///< open loop: target requests per second
    double seconds = 0;      ///< measured wall time
    OpStats stats;           ///< merged counters
    /// Wall time less the untimed set-up (per connection, averaged): the
    /// time connections spent in measured requests. The edits before a
    /// delta sync are set-up, so sync-delta's rate is that of the syncs.
    double timed_seconds() const;
    /// Completed iterations (any outcome) per timed second.
    double throughput() const;
    /// Valid answers per timed second.
    double goodput() const;
};

/// Runs an operation with the workload's options; throws on set-up errors
/// (bad URL); server errors are counted, not thrown.
OpResult run_operation(const OpEntry& op, Workload& workload);

/// A human table of results.
void print_table(std::ostream& out, const std::vector<OpResult>& results);
/// Results as JSON (latencies in milliseconds).
boost::json::value to_json(const OpResult& result);

}  // namespace cosmo::loadtest
