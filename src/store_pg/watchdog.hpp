#pragma once
/// A client-side deadline for blocking libpq calls. A PostgreSQL server that
/// is stopped with SIGSTOP, or a host that vanished, never answers: the
/// kernel still accepts what libpq sends, so neither statement_timeout (the
/// server's) nor TCP timeouts end the wait. The watchdog shuts the socket
/// down when a deadline passes; the blocked libpq call then fails as a
/// broken connection, which store_pg reports as kShardUnavailable (503).

#include <chrono>
#include <cstdint>

namespace cosmo::store_pg::detail {

/// Arms a deadline on a socket for its lifetime. Destroy it before the
/// connection that owns the socket is closed (the fd could be reused).
/// Not copyable; cheap (one map insert under a mutex).
class WatchdogGuard {
public:
    /// Does nothing when timeout is zero or negative (no limit).
    WatchdogGuard(int socket, std::chrono::milliseconds timeout);
    ~WatchdogGuard();
    WatchdogGuard(const WatchdogGuard&) = delete;
    WatchdogGuard& operator=(const WatchdogGuard&) = delete;

    /// Whether the deadline passed and the socket was shut down.
    bool fired() const;

private:
    std::uint64_t ticket_ = 0;
};

}  // namespace cosmo::store_pg::detail
