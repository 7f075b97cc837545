#pragma once
// The operations (ops.cpp: single requests; profiles.cpp: client poll
// cycles) and the request helpers they share. Internal to the load tester.

#include "workload.hpp"

namespace cosmo::loadtest::ops {

/// Extra request headers.
using Headers = std::vector<std::pair<std::string, std::string>>;
/// One extra header (a plain function: GCC 12 cannot keep braced lists of
/// string literals in coroutine frames).
Headers header(std::string name, std::string value);

/// Sends a request as `user` on the client's connection.
asio::awaitable<Reply> send(Client& c, Workload& w, int user, http::verb method,
                            std::string target, std::string body = {},
                            std::string content_type = {},
                            Headers headers = {});

/// A random user this client owns (users are split among connections so
/// that no two connections write the same calendar when users >= connections).
int owned_user(Client& c, const Workload& w);
/// True when every user is owned by exactly one connection.
bool users_exclusive(const Workload& w);
/// A random seeded event index of `user` (from owned_user) that no other
/// connection edits: all of them when users are exclusive, else this
/// connection's share of the user's events.
int owned_index(Client& c, const Workload& w, int user);
/// A random seeded event of an owned user: {user, index}.
std::pair<int, int> owned_event(Client& c, const Workload& w);

/// Learns an event's ETag by GET when unknown; nullopt on success, else the failure.
asio::awaitable<std::optional<Outcome>> ensure_etag(Client& c, Workload& w, int user, int index);
/// PUTs the next revision of a seeded event with If-Match (RFC 7232 §3.1)
/// and records the change for the next sync validation.
asio::awaitable<Outcome> edit_event(Client& c, Workload& w, int user, int index);
/// calendar-multiget of hrefs in batches; checks every href comes back once
/// with data. `remember` keeps the ETags read for later edits (the client
/// profiles); the multiget-50 operation edits nothing and keeps none.
asio::awaitable<Outcome> multiget(Client& c, Workload& w, int user,
                                  const std::vector<std::string>& hrefs, std::size_t batch,
                                  bool remember = true);
/// sync-collection from the user's stored token; checks that every change
/// this client made since is reported, and exactly those when `exact`.
/// Fills `changed` (hrefs not 404) and moves the stored token on success.
asio::awaitable<Outcome> sync_delta(Client& c, Workload& w, int user, bool exact, bool depth1,
                                    std::vector<std::string>* changed);
/// Reads a collection's CS:getctag and DAV:sync-token with PROPFIND Depth 0.
asio::awaitable<Outcome> read_ctag(Client& c, Workload& w, int user, std::string* ctag,
                                   std::string* token);

/// Outcome of an unexpected status.
Outcome bad_status(const Reply& r);
/// Outcome of a wrong answer under a good status.
Outcome invalid(int status, std::string problem);

// Operations (see operations() for what each does).
asio::awaitable<Outcome> op_get(Client&, Workload&, Timing&);
asio::awaitable<Outcome> op_put_new(Client&, Workload&, Timing&);
asio::awaitable<Outcome> op_put_update(Client&, Workload&, Timing&);
asio::awaitable<Outcome> op_delete(Client&, Workload&, Timing&);
asio::awaitable<void> setup_delete(Client&, Workload&, std::chrono::steady_clock::time_point);
/// put-update's unmeasured set-up: learns the ETags of the events this
/// connection will edit, as a syncing client knows them.
asio::awaitable<void> setup_put_update(Client&, Workload&, std::chrono::steady_clock::time_point);
/// query-month's and freebusy-month's unmeasured set-up: the seed model's
/// answers for every user and month of this connection.
asio::awaitable<void> setup_query_month(Client&, Workload&, std::chrono::steady_clock::time_point);
asio::awaitable<void> setup_freebusy_month(Client&, Workload&,
                                           std::chrono::steady_clock::time_point);
asio::awaitable<Outcome> op_propfind_d1(Client&, Workload&, Timing&);
asio::awaitable<Outcome> op_query_month(Client&, Workload&, Timing&);
asio::awaitable<Outcome> op_multiget_50(Client&, Workload&, Timing&);
asio::awaitable<Outcome> op_sync_initial(Client&, Workload&, Timing&);
asio::awaitable<Outcome> op_sync_delta(Client&, Workload&, Timing&);
asio::awaitable<Outcome> op_freebusy_month(Client&, Workload&, Timing&);
asio::awaitable<Outcome> op_profile_apple(Client&, Workload&, Timing&);
asio::awaitable<Outcome> op_profile_davx5(Client&, Workload&, Timing&);
asio::awaitable<Outcome> op_profile_thunderbird(Client&, Workload&, Timing&);

}  // namespace cosmo::loadtest::ops
