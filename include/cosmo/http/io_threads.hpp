#pragma once
/// I/O threads that each run an event loop (an io_context) of their own.
/// A new connection is given to the thread that serves the fewest and stays
/// on it: its reads, its inline handler and its writes all run there, and a
/// handler that ran elsewhere (an offloaded PUT) resumes there.
///
/// Why not one io_context run by every I/O thread: Asio's scheduler then
/// wakes an idle thread for nearly every handler it queues, all idle
/// threads wait on one condition variable, and on 2 busy cores glibc's
/// pthread_cond_signal itself blocks while earlier wakers have not run yet.
/// Under put-update 38% of the server's context switches were threads
/// blocked inside pthread_cond_signal, almost all in Asio's scheduler
/// (docs/performance.md, session 25). With a loop per thread a handler is
/// queued to one thread, woken through its own epoll.
///
/// The PUT threads are IoThreads too (ListenerOptions::offload_threads):
/// an offloaded request is placed like a connection, on the loop with the
/// fewest in flight, for as long as it runs there.
///
/// The price: while a connection's handler blocks (the database, a first
/// login's scrypt), the other connections of its thread wait, where a
/// shared io_context would let another thread read them. `io-per-thread =
/// false` restores the shared loop (docs/operations.md).

#include <cstddef>
#include <memory>
#include <mutex>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

namespace cosmo::http {

class IoThreads {
public:
    /// count >= 1 loops; none runs before start().
    explicit IoThreads(std::size_t count);
    /// Stops the loops and joins their threads.
    ~IoThreads();
    IoThreads(const IoThreads&) = delete;
    IoThreads& operator=(const IoThreads&) = delete;

    /// Where a new connection runs, and its lease: the loop counts the
    /// connection until the last copy of the lease is gone.
    struct Placement {
        boost::asio::any_io_executor executor;
        std::shared_ptr<void> lease;
    };
    /// The loop with the fewest connections (ties go round), counted from
    /// now on. Thread-safe.
    Placement place();

    /// Starts one thread per loop. Each runs until stop(), idle or not.
    void start();
    /// Ends every loop: handlers not yet run are dropped, so call it once
    /// the connections have closed (graceful shutdown) or are abandoned.
    void stop();
    /// Waits for the threads started by start().
    void join();

    /// Leases each loop holds now (connections, or offloaded requests), in
    /// loop order.
    std::vector<std::size_t> connections() const;

private:
    struct Loop;
    std::vector<std::unique_ptr<Loop>> loops_;
    std::mutex mutex_;          ///< place()'s choice
    std::size_t next_ = 0;      ///< where place() starts looking (round for ties)
};

}  // namespace cosmo::http
