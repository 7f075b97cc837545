#pragma once
// Shared state of a run (the model, credentials, expected answers) and the
// per-connection state of one simulated client, plus the operation table.

#include "histogram.hpp"
#include "http_client.hpp"
#include "model.hpp"

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace cosmo::loadtest {

/// Options of `run` (and the parts `seed` shares).
struct RunOptions {
    std::string url = "http://127.0.0.1:8080";  ///< server base URL
    int users = 10;               ///< seeded users user0000..
    int events = 100;             ///< seeded events per user
    std::uint64_t seed = 1;       ///< model seed (must match the seeding)
    int connections = 16;         ///< concurrent keep-alive connections
    double duration = 10;         ///< measured seconds per operation
    double warmup = 0;            ///< unmeasured seconds before
    double rate = 0;              ///< open loop: requests per second in total (0 = closed loop)
    int threads = 1;              ///< client I/O threads
    int think_ms = 0;             ///< profiles: mean think time between cycles (closed loop)
    int changes = 5;              ///< sync-delta: changes made before each delta sync
    double edit_prob = 0.1;       ///< profiles: probability of an edit per cycle
    bool with_data = false;       ///< query-month: also ask for calendar-data
    std::string static_path;      ///< get: fetch this path instead of events (ceilings)
    std::string tag;              ///< names of created resources (default: from the clock)
    int timeout_s = 30;           ///< per-request timeout
};

/// Passwords by user, from a file of "user:password" lines or one password for all.
class Credentials {
public:
    /// Reads a password file; throws std::runtime_error if unreadable or empty.
    static Credentials load(const std::string& path);
    /// One password for every user.
    static Credentials common(std::string password);
    /// The Authorization header value for a user.
    std::string authorization(const std::string& user) const;

private:
    std::string common_;
    std::unordered_map<std::string, std::string> per_user_;
};

/// Shared, thread-safe state of a run.
class Workload {
public:
    /// Builds the shared state; precomputes Authorization values.
    Workload(RunOptions options, const Credentials& credentials);

    /// The options.
    const RunOptions& options() const { return options_; }
    /// The seed model.
    const SeedModel& model() const { return model_; }
    /// The Authorization value of a user.
    const std::string& auth(int user) const { return auth_[static_cast<std::size_t>(user)]; }
    /// Sorted hrefs of a user's seeded VEVENTs overlapping a month of SeedModel::kYear.
    const std::vector<std::string>& expected_month(int user, int month);
    /// Merged busy periods of a user in a month of SeedModel::kYear.
    const std::vector<Interval>& expected_busy(int user, int month);
    /// Href of a seeded event.
    static std::string event_href(int user, int index);
    /// True when a listing href is a resource the load tester created during runs.
    static bool is_created_href(const std::string& href);

private:
    RunOptions options_;
    SeedModel model_;
    std::vector<std::string> auth_;
    std::mutex mutex_;
    std::map<std::pair<int, int>, std::vector<std::string>> months_;
    std::map<std::pair<int, int>, std::vector<Interval>> busy_;
};

/// Counters of one operation, kept per connection and merged.
struct OpStats {
    Histogram latency;                          ///< successful and failed requests
    std::uint64_t ok = 0;                       ///< right status, valid answer
    std::map<std::string, std::uint64_t> errors;  ///< "404", "io", "invalid" -> count
    std::vector<std::string> problems;          ///< first few validation failures
    std::int64_t untimed_us = 0;                ///< set-up excluded by Timing::restart()
    /// GETs of an ETag the client did not know, sent inside measured
    /// iterations (put-update should have learned them all beforehand).
    std::uint64_t etag_fetches = 0;
    /// Adds another connection's counters.
    void merge(const OpStats& other);
};

/// Result of one timed iteration.
struct Outcome {
    int status = 0;       ///< last HTTP status seen (0 = I/O error)
    bool ok = false;      ///< status as expected and answer valid
    std::string problem;  ///< why the answer is invalid (status was fine)
};

/// Where the clock of an iteration starts. Closed loop: at the call, moved by
/// restart() past untimed set-up. Open loop: the intended send time, fixed.
struct Timing {
    std::chrono::steady_clock::time_point start;  ///< latency origin
    bool open_loop = false;                       ///< restart() is ignored when set
    /// Excludes set-up done so far from the latency (closed loop only).
    void restart() {
        if (!open_loop) {
            start = std::chrono::steady_clock::now();
        }
    }
};

/// Per-user sync state of a simulated client.
struct SyncState {
    std::string token;                  ///< last sync-token
    std::string ctag;                   ///< last CS:getctag
    std::set<std::string> pending;      ///< hrefs we changed since the token
    std::map<std::string, std::string> etag_after;  ///< href -> ETag our PUT got
};

/// One simulated client on one connection.
struct Client {
    /// A client with its own connection and PRNG.
    Client(int index, HttpConnection connection, std::uint64_t seed)
        : index(index), http(std::move(connection)), rng(seed) {}
    int index;                 ///< connection number 0..N-1
    HttpConnection http;       ///< its keep-alive connection
    SplitMix rng;              ///< its random numbers
    std::unordered_map<std::string, std::string> etags;  ///< known ETags by href
    std::unordered_map<std::string, int> revisions;      ///< edit revision by href
    std::map<int, SyncState> sync;                       ///< by user
    std::vector<std::string> created;                    ///< for delete: hrefs to remove
    std::vector<std::pair<int, int>> editable;           ///< put-update: (user, event) with ETag
    std::uint64_t counter = 0;                           ///< names of created resources
    std::uint64_t etag_fetches = 0;                      ///< GETs by ensure_etag, ever
    int next_user_slot = 0;                              ///< profiles: round robin
};

/// An operation: one timed iteration on one client.
using OpFunction = asio::awaitable<Outcome> (*)(Client&, Workload&, Timing&);
/// Optional unmeasured set-up of a client before measuring (delete's prefill).
using SetupFunction = asio::awaitable<void> (*)(Client&, Workload&,
                                                std::chrono::steady_clock::time_point until);

/// An entry of the operation table.
struct OpEntry {
    const char* name;       ///< --op name
    OpFunction run;         ///< the timed iteration
    SetupFunction setup;    ///< optional set-up, nullptr if none
    const char* summary;    ///< one line for --help
};

/// Every operation, in bench order.
const std::vector<OpEntry>& operations();
/// An operation by name, or nullptr.
const OpEntry* find_operation(std::string_view name);

}  // namespace cosmo::loadtest
