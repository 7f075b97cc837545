#include "cosmo/http/server.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <limits>
#include <mutex>
#include <unordered_map>

#include <unistd.h>

#include <boost/asio.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/beast.hpp>
#include <spdlog/spdlog.h>

#include "cosmo/core/log.hpp"
#include "cosmo/core/random.hpp"
#include "cosmo/http/client_address.hpp"

namespace cosmo::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;
using asio::awaitable;
using asio::use_awaitable;
constexpr auto kTuple = asio::as_tuple(use_awaitable);

namespace {

using Clock = std::chrono::steady_clock;
constexpr Clock::rep kNoDeadline = std::numeric_limits<Clock::rep>::max();

/// One open connection. Shared between its coroutine and the server's
/// registry, so that stop() can close it while it waits for a request and
/// the sweeper can cancel I/O that overran its deadline.
struct Connection {
    Connection(tcp::socket socket, std::shared_ptr<void> lease_)
        : lease(std::move(lease_)), stream(std::move(socket)) {}
    /// Its place on an I/O thread (IoThreads::place), if it has one; given
    /// back after the socket is closed (members go in reverse order).
    std::shared_ptr<void> lease;
    beast::tcp_stream stream;  ///< never given an expiry: see arm()
    std::atomic<bool> busy{false};  ///< a request is being read, handled or written
    /// When the I/O now pending must be done (Clock ticks); kNoDeadline
    /// while the handler runs or the connection is closing.
    std::atomic<Clock::rep> deadline{kNoDeadline};
};

/// Timeouts are deadlines that a sweeper checks (Server::Impl::sweep_loop)
/// rather than Beast's per-operation timers: arming one is a store, where
/// expires_after starts a timer wait with every read and write and cancels
/// it when the operation ends, and each cancelled wait is one more handler
/// for the connection's strand to hand between I/O threads
/// (docs/performance.md, "Session 15").
void arm(Connection& conn, Clock::duration timeout) {
    conn.deadline.store((Clock::now() + timeout).time_since_epoch().count(),
                        std::memory_order_relaxed);
}

void disarm(Connection& conn) { conn.deadline.store(kNoDeadline, std::memory_order_relaxed); }

bool overran(const Connection& conn) {
    return conn.deadline.load(std::memory_order_relaxed) <= Clock::now().time_since_epoch().count();
}

/// Counts a request as in flight from when it was read whole until its
/// answer was written (or the connection failed).
class InFlight {
public:
    explicit InFlight(RequestMetrics* metrics) : metrics_(metrics) {
        if (metrics_ != nullptr) metrics_->begin();
    }
    ~InFlight() {
        if (metrics_ != nullptr) metrics_->end();
    }
    InFlight(const InFlight&) = delete;
    InFlight& operator=(const InFlight&) = delete;

private:
    RequestMetrics* metrics_;
};

std::string request_id_for(const Request& req) {
    auto it = req.find("X-Request-Id");
    if (it != req.end() && !it->value().empty() && it->value().size() <= 128) {
        return std::string(it->value());
    }
    return core::log_id();
}

void log_access(const Request& req, const Response& res, const RequestContext& ctx,
                std::size_t bytes) {
    auto micros = std::chrono::duration_cast<std::chrono::microseconds>(
                      std::chrono::steady_clock::now() - ctx.start)
                      .count();
    auto ua = req[Field::user_agent];
    core::access_logger()->info("{} {} {} {} {} {} {}us \"{}\" rid={}", ctx.client_ip,
                                ctx.user.empty() ? "-" : ctx.user,
                                std::string_view(req.method_string()),
                                std::string_view(req.target()), res.result_int(), bytes,
                                micros, std::string_view(ua), ctx.request_id);
}

}  // namespace

struct Server::Impl : std::enable_shared_from_this<Impl> {
    Impl(asio::io_context& io_, asio::thread_pool& workers_, const Handler& handler_,
         ListenerOptions options_)
        : io(io_), workers(workers_), handler(handler_), options(std::move(options_)),
          acceptor(io_), sweep_strand(asio::make_strand(io_)), sweep_timer(sweep_strand) {}

    asio::io_context& io;
    asio::thread_pool& workers;
    const Handler& handler;
    ListenerOptions options;
    tcp::acceptor acceptor;
    asio::strand<asio::io_context::executor_type> sweep_strand;  ///< sweep_loop and stop()
    asio::steady_timer sweep_timer;
    std::atomic<bool> stopping{false};
    std::atomic<std::size_t> open_connections{0};
    std::mutex registry_mutex;
    std::unordered_map<Connection*, std::weak_ptr<Connection>> registry;

    awaitable<void> accept_loop();
    /// Cancels the I/O of connections past their deadline, a few times per
    /// shortest timeout; the connection's coroutine then closes it.
    awaitable<void> sweep_loop();
    awaitable<void> serve(std::shared_ptr<Connection> conn);
    /// Runs work where handlers run: on this I/O thread (inline_handlers)
    /// or on the worker pool (or, offloaded, on options.offload_threads),
    /// resuming on the connection's strand after.
    template <class Work>
    awaitable<std::invoke_result_t<Work&>> run_blocking(Work work, bool offloaded = false);
    /// Whether req's handler runs on options.offload_threads.
    bool offloaded(const Request& req) const {
        return options.inline_handlers && options.offload_threads != nullptr && options.offload &&
               options.offload(req);
    }
    Response handle_guarded(Request& req, RequestContext& ctx);
    /// Makes the next part of a streamed body into `part`; false when the
    /// stream failed (logged), so the connection must close.
    awaitable<bool> next_part(RequestContext& ctx, std::string& part, bool& more);
    /// Sends a response whose body goes on in ctx.body_rest as chunks;
    /// false when the connection cannot be used any more.
    awaitable<bool> write_streamed(Connection& conn, Response& res, RequestContext& ctx,
                                   std::size_t& bytes);
    /// Counts an answered request in options.metrics, if kept.
    void record(const Request& req, const Response& res, const RequestContext& ctx) {
        if (options.metrics) {
            options.metrics->record(req.method(), res.result_int(), Clock::now() - ctx.start);
        }
    }
    /// Writes a short error response to a request refused before it was
    /// read whole; method is its method when its header had been read.
    awaitable<void> write_error(Connection& conn, unsigned version, Status status,
                                const std::string& client_ip,
                                bhttp::verb method = bhttp::verb::unknown);
};

awaitable<void> Server::Impl::accept_loop() {
    auto self = shared_from_this();
    while (!stopping) {
        auto [ec, socket] = co_await acceptor.async_accept(asio::make_strand(io), kTuple);
        if (ec) {
            if (stopping || ec == asio::error::operation_aborted) {
                break;
            }
            spdlog::warn("{}: accept failed: {}", options.name, ec.message());
            continue;
        }
        // Accepted on the shared io_context, then handed to its loop: an
        // accept still pending at shutdown then holds no socket of a loop
        // (the loops go before the shared io_context).
        std::shared_ptr<Connection> conn;
        if (options.io_threads != nullptr) {
            IoThreads::Placement place = options.io_threads->place();
            beast::error_code move_ec;
            const auto protocol = socket.local_endpoint(move_ec).protocol();
            tcp::socket moved(place.executor);
            if (!move_ec) {
                const auto fd = socket.release(move_ec);
                if (!move_ec) {
                    moved.assign(protocol, fd, move_ec);
                    if (move_ec) ::close(fd);  // released: no socket object owns it
                }
            }
            if (move_ec) {
                spdlog::warn("{}: could not hand a connection to its I/O thread: {}",
                             options.name, move_ec.message());
                continue;
            }
            conn = std::make_shared<Connection>(std::move(moved), std::move(place.lease));
        } else {
            conn = std::make_shared<Connection>(std::move(socket), nullptr);
        }
        auto executor = conn->stream.get_executor();
        asio::co_spawn(executor, serve(std::move(conn)), asio::detached);
    }
}

awaitable<void> Server::Impl::sweep_loop() {
    auto self = shared_from_this();
    const Clock::duration shortest =
        std::min(options.limits.read_timeout, options.limits.idle_timeout);
    const Clock::duration period = std::clamp<Clock::duration>(
        shortest / 4, std::chrono::milliseconds(10), std::chrono::seconds(1));
    while (!stopping) {
        sweep_timer.expires_after(period);
        auto [ec] = co_await sweep_timer.async_wait(kTuple);
        if (ec || stopping) break;
        std::lock_guard lock(registry_mutex);
        for (auto& [ptr, weak] : registry) {
            if (!overran(*ptr)) continue;
            if (auto conn = weak.lock()) {
                asio::post(conn->stream.get_executor(), [conn] {
                    // Checked again where the connection runs: it may have
                    // ended since, and the next one armed a new deadline.
                    if (!overran(*conn)) return;
                    disarm(*conn);
                    beast::error_code ignored;
                    conn->stream.socket().cancel(ignored);
                });
            }
        }
    }
}

Response Server::Impl::handle_guarded(Request& req, RequestContext& ctx) {
    try {
        return handler.handle(req, ctx);
    } catch (const std::exception& e) {
        spdlog::error("rid={} unhandled error: {}", ctx.request_id, e.what());
        return make_response(req, Status::internal_server_error,
                             "internal server error, request id " + ctx.request_id + "\n");
    }
}

template <class Work>
awaitable<std::invoke_result_t<Work&>> Server::Impl::run_blocking(Work work, bool offloaded) {
    using Result = std::invoke_result_t<Work&>;
    if (options.inline_handlers && !offloaded) {
        co_return work();  // blocks this I/O thread (see ListenerOptions)
    }
    // Handlers block (database, password hashing): they run on a pool, and
    // this coroutine resumes on its connection's strand after.
    if (offloaded) {
        // The lease counts the request on its loop until it resumes here.
        const IoThreads::Placement place = options.offload_threads->place();
        co_return co_await asio::co_spawn(
            place.executor, [&]() -> awaitable<Result> { co_return work(); }, use_awaitable);
    }
    co_return co_await asio::co_spawn(
        workers, [&]() -> awaitable<Result> { co_return work(); }, use_awaitable);
}

awaitable<bool> Server::Impl::next_part(RequestContext& ctx, std::string& part, bool& more) {
    co_return co_await run_blocking([&] {
        try {
            more = ctx.body_rest(part);
            return true;
        } catch (const std::exception& e) {
            spdlog::error("rid={} response cut off: {}", ctx.request_id, e.what());
            return false;
        }
    });
}

awaitable<bool> Server::Impl::write_streamed(Connection& conn, Response& res,
                                             RequestContext& ctx, std::size_t& bytes) {
    bhttp::response<bhttp::empty_body> head{res.base()};
    head.chunked(true);
    bhttp::response_serializer<bhttp::empty_body> serializer{head};
    arm(conn, options.limits.read_timeout);
    auto [ec, n] = co_await bhttp::async_write_header(conn.stream, serializer, kTuple);
    disarm(conn);
    if (ec) co_return false;
    // One part in memory at a time: it is sent before the next is made.
    std::string part = std::move(res.body());
    bool more = true;
    for (;;) {
        if (!part.empty()) {
            bytes += part.size();
            arm(conn, options.limits.read_timeout);
            std::tie(ec, n) = co_await asio::async_write(
                conn.stream, bhttp::make_chunk(asio::buffer(part)), kTuple);
            disarm(conn);  // the next part is made with no deadline
            if (ec) co_return false;
            part.clear();
        }
        if (!more) break;
        if (!co_await next_part(ctx, part, more)) co_return false;
    }
    arm(conn, options.limits.read_timeout);
    std::tie(ec, n) = co_await asio::async_write(conn.stream, bhttp::make_chunk_last(), kTuple);
    disarm(conn);
    co_return !ec;
}

awaitable<void> Server::Impl::write_error(Connection& conn, unsigned version, Status status,
                                          const std::string& client_ip, bhttp::verb method) {
    Response res{status, version};
    res.set(Field::connection, "close");
    res.set(Field::content_type, "text/plain; charset=utf-8");
    res.body() = std::string(bhttp::obsolete_reason(status)) + "\n";
    res.keep_alive(false);
    res.prepare_payload();
    if (options.metrics) options.metrics->record_refused(res.result_int(), method);
    spdlog::info("{}: {} {} to {}", options.name, res.result_int(),
                 std::string_view(res.reason()), client_ip);
    arm(conn, options.limits.read_timeout);
    co_await bhttp::async_write(conn.stream, res, kTuple);
    disarm(conn);
}

awaitable<void> Server::Impl::serve(std::shared_ptr<Connection> conn) {
    auto self = shared_from_this();
    ++open_connections;
    {
        std::lock_guard lock(registry_mutex);
        registry[conn.get()] = conn;
    }
    beast::error_code ignored;
    const std::string peer_ip = [&] {
        auto ep = conn->stream.socket().remote_endpoint(ignored);
        return ignored ? std::string("-") : ep.address().to_string();
    }();

    beast::flat_buffer buffer;
    if (open_connections > options.limits.max_connections) {
        co_await write_error(*conn, 11, Status::service_unavailable, peer_ip);
    } else {
        bool first = true;
        while (!stopping) {
            bhttp::request_parser<bhttp::string_body> parser;
            parser.header_limit(static_cast<std::uint32_t>(options.limits.header_limit));
            parser.body_limit(options.limits.body_limit);
            // A kept-alive connection may wait idle-timeout for its next
            // request's header, a new one read-timeout; the body then gets
            // read-timeout of its own (as with Beast's timer before).
            arm(*conn, first ? options.limits.read_timeout : options.limits.idle_timeout);
            first = false;
            auto [ec, n] = co_await bhttp::async_read_header(conn->stream, buffer, parser, kTuple);
            conn->busy = true;
            if (ec == bhttp::error::body_limit) {
                // Content-Length over the limit: the header was read.
                co_await write_error(*conn, 11, Status::payload_too_large, peer_ip,
                                     parser.get().method());
                break;
            }
            if (ec == bhttp::error::header_limit) {
                co_await write_error(*conn, 11, Status::request_header_fields_too_large, peer_ip);
                break;
            }
            if (ec) {
                if (ec != bhttp::error::end_of_stream && ec != beast::error::timeout &&
                    ec != asio::error::operation_aborted && ec != asio::error::eof &&
                    ec != asio::error::connection_reset && buffer.size() > 0) {
                    co_await write_error(*conn, 11, Status::bad_request, peer_ip);
                }
                break;
            }
            // RFC 7231 §5.1.1: tell a client that waits for it to send the body.
            auto& header = parser.get();
            if (beast::iequals(header[Field::expect], "100-continue")) {
                bhttp::response<bhttp::empty_body> cont{Status::continue_, header.version()};
                co_await bhttp::async_write(conn->stream, cont, kTuple);
            }
            arm(*conn, options.limits.read_timeout);
            std::tie(ec, n) = co_await bhttp::async_read(conn->stream, buffer, parser, kTuple);
            disarm(*conn);  // the handler runs with no deadline
            if (ec == bhttp::error::body_limit) {
                co_await write_error(*conn, header.version(), Status::payload_too_large, peer_ip,
                                     header.method());
                break;
            }
            if (ec) {
                if (ec != beast::error::timeout && ec != asio::error::operation_aborted &&
                    ec != bhttp::error::end_of_stream && ec != asio::error::eof) {
                    co_await write_error(*conn, header.version(), Status::bad_request, peer_ip,
                                         header.method());
                }
                break;
            }

            Request req = parser.release();
            const InFlight in_flight(options.metrics.get());
            RequestContext ctx;
            ctx.request_id = request_id_for(req);
            ctx.client_ip = client_address(peer_ip, req["X-Forwarded-For"],
                                           options.trusted_proxies);
            const bool head = req.method() == Verb::head;
            Response res = co_await run_blocking([&] { return handle_guarded(req, ctx); },
                                                 offloaded(req));
            if (ctx.body_rest && (head || req.version() < 11)) {
                // No chunked coding before HTTP/1.1 (and HEAD needs the
                // length): the rest is made here, into the body.
                bool more = true;
                while (more) {
                    if (!co_await next_part(ctx, res.body(), more)) {
                        res = make_response(req, Status::internal_server_error,
                                            "internal server error, request id " +
                                                ctx.request_id + "\n");
                        break;
                    }
                }
                ctx.body_rest = nullptr;
            }

            res.set(Field::server, "Cosmo");
            res.set("X-Request-Id", ctx.request_id);
            if (!res.count(Field::date)) {
                res.set(Field::date, http_date(std::chrono::system_clock::now()));
            }
            const bool keep_alive = req.keep_alive() && res.keep_alive() && !stopping;
            res.keep_alive(keep_alive);
            if (ctx.body_rest) {
                // Logged after the last chunk, with the bytes of every part.
                std::size_t bytes = 0;
                const bool sent = co_await write_streamed(*conn, res, ctx, bytes);
                ctx.body_rest = nullptr;  // the handler's state (its dav::Call) goes now
                if (options.access_log) log_access(req, res, ctx, bytes);
                record(req, res, ctx);
                conn->busy = false;
                if (!sent || !keep_alive) break;
                continue;
            }
            std::size_t bytes = res.body().size();
            if (head) {
                // HEAD keeps the Content-Length a GET would have had.
                if (!res.has_content_length()) {
                    res.content_length(res.body().size());
                }
                res.body().clear();
                bytes = 0;
            } else {
                res.prepare_payload();
            }
            if (options.access_log) {
                log_access(req, res, ctx, bytes);
            }
            arm(*conn, options.limits.read_timeout);
            bhttp::response_serializer<bhttp::string_body> serializer{res};
            if (head) {
                std::tie(ec, n) =
                    co_await bhttp::async_write_header(conn->stream, serializer, kTuple);
            } else {
                std::tie(ec, n) = co_await bhttp::async_write(conn->stream, serializer, kTuple);
            }
            disarm(*conn);
            record(req, res, ctx);
            conn->busy = false;
            if (ec || !keep_alive) {
                break;
            }
        }
    }
    disarm(*conn);
    conn->stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    conn->stream.close();
    {
        std::lock_guard lock(registry_mutex);
        registry.erase(conn.get());
    }
    --open_connections;
}

Server::Server(asio::io_context& io, asio::thread_pool& workers, const Handler& handler,
               ListenerOptions options)
    : impl_(std::make_shared<Impl>(io, workers, handler, std::move(options))) {}

Server::~Server() = default;

void Server::start() {
    auto& o = impl_->options;
    auto address = asio::ip::make_address(o.address);
    tcp::endpoint endpoint{address, o.port};
    impl_->acceptor.open(endpoint.protocol());
    impl_->acceptor.set_option(asio::socket_base::reuse_address(true));
    impl_->acceptor.bind(endpoint);
    impl_->acceptor.listen(asio::socket_base::max_listen_connections);
    spdlog::info("{}: listening on http://{}:{}", o.name, o.address, port());
    asio::co_spawn(impl_->acceptor.get_executor(), impl_->accept_loop(), asio::detached);
    asio::co_spawn(impl_->sweep_strand, impl_->sweep_loop(), asio::detached);
}

void Server::stop() {
    auto impl = impl_;
    impl->stopping = true;
    asio::post(impl->acceptor.get_executor(), [impl] {
        beast::error_code ignored;
        impl->acceptor.close(ignored);
    });
    asio::post(impl->sweep_strand, [impl] { impl->sweep_timer.cancel(); });
    // Idle keep-alive connections are closed now; busy ones finish their
    // request and close after writing the response.
    std::lock_guard lock(impl->registry_mutex);
    for (auto& [ptr, weak] : impl->registry) {
        if (auto conn = weak.lock()) {
            asio::post(conn->stream.get_executor(), [conn] {
                if (!conn->busy) {
                    conn->stream.cancel();
                }
            });
        }
    }
}

unsigned short Server::port() const {
    beast::error_code ec;
    auto ep = impl_->acceptor.local_endpoint(ec);
    return ec ? 0 : ep.port();
}

std::size_t Server::connections() const { return impl_->open_connections; }

}  // namespace cosmo::http
