#pragma once
/// The HTTP/1.1 server: an acceptor and one coroutine per connection, on the
/// server's io_context or on I/O threads of their own (IoThreads); handlers
/// run inline on the connection's I/O thread or on a bounded worker pool.

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>

#include "cosmo/http/io_threads.hpp"
#include "cosmo/http/message.hpp"
#include "cosmo/http/request_metrics.hpp"

namespace cosmo::http {

struct Limits {
    std::size_t header_limit = 16 * 1024;          ///< request line + headers, bytes
    std::size_t body_limit = 10 * 1024 * 1024;     ///< bytes; 413 beyond
    std::chrono::seconds read_timeout{30};          ///< to read one whole request
    std::chrono::seconds idle_timeout{120};         ///< keep-alive idle
    std::size_t max_connections = 10000;
};

struct ListenerOptions {
    std::string address = "127.0.0.1";
    unsigned short port = 8080;  ///< 0 = any free port (see Server::port())
    Limits limits;
    std::vector<std::string> trusted_proxies;  ///< peers whose X-Forwarded-For is believed
    bool access_log = true;
    std::string name = "public";  ///< for logs
    /// Run handlers on the I/O thread that read the request instead of the
    /// worker pool: no thread hand-off per request (two fewer context
    /// switches), at the price of an I/O thread per request in flight, so
    /// io-threads must then be as many as the requests to serve at once.
    bool inline_handlers = false;
    /// With inline_handlers: the requests for which this returns true run
    /// on offload_threads instead. For handlers that mostly wait: a PUT
    /// waits for its group's commit (store_pg write groups), and off the I/O
    /// threads it does so without holding one, so more PUTs are in flight
    /// and the groups they are committed in are larger (docs/performance.md,
    /// session 23). A hand-off costs two thread switches, which is why
    /// reads stay inline.
    std::function<bool(const Request&)> offload;
    /// Where offloaded requests run: each on the loop with the fewest of them
    /// in flight, so a hand-off wakes one chosen thread. A thread pool's
    /// shared queue and condition variable cost about two more context
    /// switches a PUT (docs/performance.md, session 26).
    IoThreads* offload_threads = nullptr;
    /// Where accepted connections run: on the I/O thread of their own loop
    /// (io_threads.hpp), or, when null, on a strand of the Server's
    /// io_context, which all its threads run. Connections are accepted on
    /// the Server's io_context and then handed over, so the IoThreads may
    /// (and should) be destroyed before that io_context.
    IoThreads* io_threads = nullptr;
    /// Where this listener counts and times its requests (none: not kept).
    std::shared_ptr<RequestMetrics> metrics;
};

/// Thread-safety: construct and start() before running the io_context;
/// stop() may be called from any thread.
class Server {
public:
    Server(boost::asio::io_context& io, boost::asio::thread_pool& workers,
           const Handler& handler, ListenerOptions options);
    ~Server();

    /// Binds and starts accepting. Throws on bind failure.
    void start();
    /// Stops accepting; open connections finish their in-flight request and close.
    void stop();
    /// The bound port (useful with port 0).
    unsigned short port() const;
    /// Connections currently open.
    std::size_t connections() const;

private:
    struct Impl;
    std::shared_ptr<Impl> impl_;
};

}  // namespace cosmo::http
