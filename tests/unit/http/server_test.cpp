// The HTTP server over real loopback sockets (port 0): keep-alive and
// pipelining, limits, HEAD, 100-continue, graceful stop.
#include "cosmo/http/server.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <cerrno>
#include <stdexcept>
#include <thread>

#include <sys/socket.h>
#include <sys/time.h>

#include <boost/asio.hpp>
#include <boost/beast.hpp>

using namespace cosmo;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

/// Echoes method and target; "/slow" sleeps first (0.3 s), "/slower" 1.5 s. "/stream" answers
/// "first;" and then, through ctx.body_rest, "second;" once stream_gate is
/// open (or "late;" after 5 s) and "third;"; "/stream-fail" throws instead
/// of making its second part.
class EchoHandler : public http::Handler {
public:
    mutable std::atomic<int> calls{0};
    mutable std::atomic<std::thread::id> last_thread{};
    mutable std::atomic<bool> stream_gate{false};
    mutable std::atomic<bool> hold_gate{false};
    mutable std::atomic<std::thread::id> hold_thread{};
    http::Response handle(http::Request& req, http::RequestContext& ctx) const override {
        ++calls;
        last_thread = std::this_thread::get_id();
        if (req.target() == "/slow") {
            std::this_thread::sleep_for(std::chrono::milliseconds(300));
        }
        if (req.target() == "/slower") {  // longer than the timeouts' tests allow
            std::this_thread::sleep_for(std::chrono::milliseconds(1500));
        }
        if (req.target() == "/hold") {  // waits for hold_gate (or 5 s), as a PUT for its commit
            hold_thread = std::this_thread::get_id();
            const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
            while (!hold_gate && std::chrono::steady_clock::now() < deadline) {
                std::this_thread::sleep_for(std::chrono::milliseconds(5));
            }
            return http::make_response(req, http::Status::ok, hold_gate ? "opened" : "late");
        }
        if (req.target() == "/stream" || req.target() == "/stream-fail") {
            const bool fail = req.target() == "/stream-fail";
            ctx.body_rest = [this, fail, parts = 0](std::string& out) mutable {
                if (fail) throw std::runtime_error("the store went away");
                if (++parts == 2) {
                    out += "third;";
                    return false;
                }
                const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
                while (!stream_gate && std::chrono::steady_clock::now() < deadline) {
                    std::this_thread::sleep_for(std::chrono::milliseconds(5));
                }
                out += stream_gate ? "second;" : "late;";
                return true;
            };
            return http::make_response(req, http::Status::ok, "first;");
        }
        auto res = http::make_response(
            req, http::Status::ok,
            std::string(req.method_string()) + " " + std::string(req.target()) + " " +
                std::to_string(req.body().size()) + " " + ctx.request_id);
        return res;
    }
};

class ServerTest : public ::testing::Test {
protected:
    /// io_thread_count > 0: connections run on that many I/O threads of
    /// their own loops (http::IoThreads), not on io.
    void start(http::Limits limits = {}, bool inline_handlers = false,
               bool offload_puts = false, std::size_t io_thread_count = 0) {
        http::ListenerOptions o;
        o.port = 0;
        o.limits = limits;
        o.access_log = false;
        o.inline_handlers = inline_handlers;
        if (offload_puts) {
            o.offload = [](const http::Request& req) { return req.method() == http::Verb::put; };
            offload_threads = std::make_unique<http::IoThreads>(2);
            o.offload_threads = offload_threads.get();
            offload_threads->start();
        }
        o.metrics = metrics;
        if (io_thread_count > 0) {
            io_threads = std::make_unique<http::IoThreads>(io_thread_count);
            o.io_threads = io_threads.get();
            io_threads->start();
        }
        server = std::make_unique<http::Server>(io, workers, handler, o);
        server->start();
        thread = std::thread([this] { io.run(); });
    }
    void TearDown() override {
        if (server) {
            server->stop();
        }
        io.stop();
        if (thread.joinable()) {
            thread.join();
        }
        // The offload loops first: a PUT queued there holds a connection
        // whose socket may belong to an I/O loop.
        for (auto* loops : {offload_threads.get(), io_threads.get()}) {
            if (loops) {
                loops->stop();
                loops->join();
            }
        }
        workers.join();
    }
    /// Connects s to the server and sends bytes on it.
    void connect_and_send(tcp::socket& s, const std::string& bytes) {
        s.connect({asio::ip::make_address("127.0.0.1"), server->port()});
        asio::write(s, asio::buffer(bytes));
    }
    /// A PUT whose handler waits for hold_gate, as a PUT for its commit.
    static constexpr const char* kHoldPut =
        "PUT /hold HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";

    /// Sends raw bytes, returns everything read until the server closes or
    /// `until` appears `count` times.
    std::string exchange(const std::string& bytes, const std::string& until = "",
                         int count = 1) {
        asio::io_context client;
        tcp::socket s(client);
        connect_and_send(s, bytes);
        std::string out;
        char buf[4096];
        for (;;) {
            boost::system::error_code ec;
            std::size_t n = s.read_some(asio::buffer(buf), ec);
            out.append(buf, n);
            if (ec) {
                break;
            }
            if (!until.empty()) {
                int seen = 0;
                for (auto p = out.find(until); p != std::string::npos;
                     p = out.find(until, p + 1)) {
                    ++seen;
                }
                if (seen >= count) {
                    break;
                }
            }
        }
        return out;
    }

    /// A slow request in flight when stop() is called is still answered,
    /// with Connection: close.
    void expect_stop_lets_the_in_flight_request_finish() {
        std::string out;
        std::thread client([&] {
            out = exchange("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n", "GET /slow");
        });
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        server->stop();
        client.join();
        EXPECT_NE(out.find("GET /slow"), std::string::npos) << out;
        EXPECT_NE(out.find("Connection: close"), std::string::npos) << out;
    }

    static http::Limits one_second_timeouts() {
        http::Limits limits;
        limits.read_timeout = std::chrono::seconds(1);
        limits.idle_timeout = std::chrono::seconds(1);
        return limits;
    }

    /// With one_second_timeouts(): a request is answered, and its kept-alive
    /// connection is then closed after about a second.
    void expect_closed_after_the_idle_timeout() {
        std::string out;
        const double took = seconds_until_closed("GET /a HTTP/1.1\r\nHost: x\r\n\r\n", out);
        EXPECT_NE(out.find("GET /a"), std::string::npos) << out;  // answered, then kept open
        EXPECT_GE(took, 0.9);
        EXPECT_GT(took, 0) << "still open after 10 s";
    }

    /// A PUT /hold on a connection of its own, and while its handler waits
    /// a GET on another: the GET is answered before the PUT's gate opens,
    /// and the PUT after, in time ("opened", not "late").
    void expect_a_get_answered_while_a_put_waits() {
        asio::io_context client;
        tcp::socket put(client);
        connect_and_send(put, kHoldPut);
        wait_until_held();
        const std::string got =
            exchange("GET /a HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        EXPECT_NE(got.find("GET /a"), std::string::npos) << got;
        handler.hold_gate = true;
        const std::string out = read_until_closed(put);
        EXPECT_NE(out.find("opened"), std::string::npos) << out;
    }

    /// Waits (at most 5 s) until a "/hold" request's handler has started.
    void wait_until_held() {
        const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
        while (handler.hold_thread.load() == std::thread::id{} &&
               std::chrono::steady_clock::now() < until) {
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
        }
    }

    /// Waits (at most 5 s) until loops hold `want` leases each, and checks
    /// it: a lease is given back once its coroutine has ended.
    static void expect_leases(const http::IoThreads& loops, const std::vector<std::size_t>& want) {
        for (int i = 0; i < 500 && loops.connections() != want; ++i) {
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        EXPECT_EQ(loops.connections(), want);
    }

    /// Everything the server sends on s until it closes the connection.
    static std::string read_until_closed(tcp::socket& s) {
        std::string out;
        char buf[4096];
        boost::system::error_code ec;
        while (!ec) out.append(buf, s.read_some(asio::buffer(buf), ec));
        return out;
    }

    /// Sends raw bytes and reads until the server closes the connection;
    /// the seconds that took, or -1 when it was still open after `limit`.
    double seconds_until_closed(const std::string& bytes, std::string& out,
                                std::chrono::seconds limit = std::chrono::seconds(10)) {
        asio::io_context client;
        tcp::socket s(client);
        s.connect({asio::ip::make_address("127.0.0.1"), server->port()});
        const timeval tv{static_cast<time_t>(limit.count()), 0};
        setsockopt(s.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        const auto start = std::chrono::steady_clock::now();
        asio::write(s, asio::buffer(bytes));
        // recv itself: Asio's blocking read would wait past SO_RCVTIMEO.
        char buf[4096];
        for (;;) {
            const ssize_t n = ::recv(s.native_handle(), buf, sizeof buf, 0);
            if (n > 0) {
                out.append(buf, static_cast<std::size_t>(n));
                continue;
            }
            if (n == 0 || errno == ECONNRESET) {
                return std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
                    .count();
            }
            return -1;  // the receive timeout: still open
        }
    }

    asio::io_context io;
    asio::thread_pool workers{2};
    EchoHandler handler;
    std::shared_ptr<http::RequestMetrics> metrics = std::make_shared<http::RequestMetrics>();
    std::unique_ptr<http::IoThreads> io_threads;
    std::unique_ptr<http::IoThreads> offload_threads;  ///< after io_threads: destroyed first
    std::unique_ptr<http::Server> server;
    std::thread thread;
};

}  // namespace

TEST_F(ServerTest, PipelinedRequestsAnswerInOrderOnOneConnection) {
    start();
    std::string out = exchange(
        "GET /one HTTP/1.1\r\nHost: x\r\n\r\n"
        "PUT /two HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
        "GET /three HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    auto one = out.find("GET /one 0");
    auto two = out.find("PUT /two 3");
    auto three = out.find("GET /three 0");
    ASSERT_NE(one, std::string::npos) << out;
    ASSERT_NE(two, std::string::npos) << out;
    ASSERT_NE(three, std::string::npos) << out;
    EXPECT_LT(one, two);
    EXPECT_LT(two, three);
}

TEST_F(ServerTest, EchoesOrMakesARequestId) {
    start();
    std::string out = exchange(
        "GET / HTTP/1.1\r\nHost: x\r\nX-Request-Id: abc123\r\nConnection: close\r\n\r\n");
    EXPECT_NE(out.find("X-Request-Id: abc123"), std::string::npos) << out;
    out = exchange("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    EXPECT_NE(out.find("X-Request-Id: "), std::string::npos) << out;
}

TEST_F(ServerTest, OversizedBodyIs413BeforeItIsRead) {
    http::Limits limits;
    limits.body_limit = 100;
    start(limits);
    // Only the header is sent: the answer must come without the body.
    std::string out = exchange("PUT /big HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n");
    EXPECT_TRUE(out.starts_with("HTTP/1.1 413")) << out;
    EXPECT_EQ(handler.calls, 0);
}

TEST_F(ServerTest, RequestsAreCountedByMethodAndStatusOnceAnswered) {
    http::Limits limits;
    limits.body_limit = 100;
    start(limits);
    EXPECT_TRUE(exchange("GET /a HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                    .starts_with("HTTP/1.1 200"));
    EXPECT_TRUE(exchange("PUT /big HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n")
                    .starts_with("HTTP/1.1 413"));
    // The count follows the write, which the client may see first.
    using Statuses = std::vector<std::pair<unsigned, std::uint64_t>>;
    const auto statuses_of = [&](std::string_view method) {
        for (const auto& m : metrics->snapshot()) {
            if (m.name == method) return m.statuses;
        }
        return Statuses{};
    };
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while ((statuses_of("GET").empty() || statuses_of("PUT").empty() ||
            metrics->in_flight() != 0) &&
           std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    EXPECT_EQ(statuses_of("GET"), (Statuses{{200, 1}}));
    // Refused before its body was read, under the method of its header.
    EXPECT_EQ(statuses_of("PUT"), (Statuses{{413, 1}}));
    EXPECT_EQ(statuses_of("other"), Statuses{});
    EXPECT_EQ(metrics->in_flight(), 0);
}

TEST_F(ServerTest, OversizedHeaderIs431) {
    http::Limits limits;
    limits.header_limit = 1024;
    start(limits);
    std::string out = exchange("GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(4000, 'a') +
                               "\r\n\r\n");
    EXPECT_TRUE(out.starts_with("HTTP/1.1 431")) << out;
}

TEST_F(ServerTest, MalformedRequestIs400) {
    start();
    std::string out = exchange("GARBAGE\r\n\r\n");
    EXPECT_TRUE(out.starts_with("HTTP/1.1 400")) << out;
}

TEST_F(ServerTest, HeadHasContentLengthButNoBody) {
    start();
    std::string out = exchange("HEAD /x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    EXPECT_NE(out.find("Content-Length: "), std::string::npos) << out;
    EXPECT_EQ(out.find("HEAD /x"), std::string::npos) << out;
}

TEST_F(ServerTest, SendsContinueWhenAsked) {
    start();
    std::string out = exchange(
        "PUT /c HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n",
        "100 Continue");
    EXPECT_NE(out.find("HTTP/1.1 100 Continue"), std::string::npos) << out;
}

TEST_F(ServerTest, StopLetsTheInFlightRequestFinish) {
    start();
    expect_stop_lets_the_in_flight_request_finish();
}

// Timeouts (read-timeout, idle-timeout) are deadlines a sweeper enforces:
// each of these would hang until the 10 s limit without it, or fail if a
// handler's own time counted against the read deadline.
TEST_F(ServerTest, KeptAliveConnectionIsClosedAfterTheIdleTimeout) {
    start(one_second_timeouts(), /*inline_handlers=*/true);
    expect_closed_after_the_idle_timeout();
    // The count drops just after the close the client saw.
    for (int i = 0; i < 100 && server->connections() != 0; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    EXPECT_EQ(server->connections(), 0u);
}

TEST_F(ServerTest, StalledRequestHeaderIsCutOffAfterTheReadTimeout) {
    http::Limits limits;
    limits.read_timeout = std::chrono::seconds(1);
    start(limits, /*inline_handlers=*/true);
    std::string out;
    const double took = seconds_until_closed("GET /a HTTP/1.1\r\nHost: x\r\n", out);
    EXPECT_GE(took, 0.9);
    EXPECT_GT(took, 0) << "still open after 10 s";
    EXPECT_EQ(out, "");  // no answer to half a request
}

TEST_F(ServerTest, StalledBodyIsCutOffAfterTheReadTimeout) {
    http::Limits limits;
    limits.read_timeout = std::chrono::seconds(1);
    start(limits);
    std::string out;
    const double took = seconds_until_closed(
        "PUT /a HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc", out);
    EXPECT_GE(took, 0.9);
    EXPECT_GT(took, 0) << "still open after 10 s";
    EXPECT_EQ(handler.calls.load(), 0);
}

TEST_F(ServerTest, HandlerLongerThanTheReadTimeoutIsStillAnswered) {
    http::Limits limits;
    limits.read_timeout = std::chrono::seconds(1);
    limits.idle_timeout = std::chrono::seconds(1);
    for (const bool inline_handlers : {true, false}) {
        start(limits, inline_handlers);
        std::string out;
        const double took = seconds_until_closed(
            "GET /slower HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n",
            out);
        EXPECT_NE(out.find("GET /slower"), std::string::npos) << inline_handlers << out;
        EXPECT_NE(out.find("GET /b"), std::string::npos) << inline_handlers << out;
        EXPECT_GT(took, 2.0);  // both answered, then the idle timeout
        server->stop();
        io.stop();
        thread.join();
        io.restart();
    }
    server.reset();
}

TEST_F(ServerTest, HandlersRunOnTheWorkerPoolOrInlineOnTheIoThread) {
    start();
    EXPECT_NE(exchange("GET /a HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                  .find("200 OK"), std::string::npos);
    EXPECT_NE(handler.last_thread.load(), thread.get_id());  // a worker
    server->stop();
    io.stop();
    thread.join();
    io.restart();
    start({}, /*inline_handlers=*/true);
    const std::string out =
        exchange("GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n"
                 "Connection: close\r\n\r\n");
    EXPECT_NE(out.find("GET /a"), std::string::npos);
    EXPECT_NE(out.find("GET /b"), std::string::npos);
    EXPECT_EQ(handler.last_thread.load(), thread.get_id());  // the I/O thread itself
}

// With inline handlers and PUTs offloaded, a PUT that waits (as for its
// group's commit) does not hold the I/O thread: with one I/O thread a GET
// on another connection is answered meanwhile. Inline, the GET would wait
// for the PUT (and the PUT would see its gate late).
TEST_F(ServerTest, OffloadedPutWaitsWithoutHoldingTheIoThread) {
    start({}, /*inline_handlers=*/true, /*offload_puts=*/true);
    expect_a_get_answered_while_a_put_waits();
    EXPECT_EQ(handler.last_thread.load(), thread.get_id());  // the GET ran inline
    EXPECT_NE(handler.hold_thread.load(), thread.get_id());  // the PUT did not
}

// With I/O threads of their own loops, each connection runs on one: a
// handler that blocks on one connection's thread leaves the next
// connection, placed on the other thread, answered meanwhile, inline there.
TEST_F(ServerTest, ConnectionsRunInlineOnIoThreadsOfTheirOwn) {
    start({}, /*inline_handlers=*/true, /*offload_puts=*/false, /*io_thread_count=*/2);
    asio::io_context client;
    tcp::socket held(client);
    connect_and_send(held, "GET /hold HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    wait_until_held();
    ASSERT_NE(handler.hold_thread.load(), std::thread::id{});
    const std::string got = exchange("GET /a HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    EXPECT_NE(got.find("GET /a"), std::string::npos) << got;
    EXPECT_NE(handler.last_thread.load(), handler.hold_thread.load());
    EXPECT_NE(handler.last_thread.load(), thread.get_id());  // not on the shared io_context
    handler.hold_gate = true;
    const std::string out = read_until_closed(held);
    EXPECT_NE(out.find("opened"), std::string::npos) << out;
    // Both closed: their places are given back (once each coroutine ended).
    expect_leases(*io_threads, {0, 0});
}

// Offloaded PUTs go to the offload loop with the fewest in flight: two
// that wait at once run on both loops (with one I/O thread), counted there
// until they are answered.
TEST_F(ServerTest, OffloadedPutsSpreadOverTheOffloadLoops) {
    start({}, /*inline_handlers=*/true, /*offload_puts=*/true, /*io_thread_count=*/1);
    asio::io_context client;
    std::vector<tcp::socket> puts;
    for (int i = 0; i < 2; ++i) {
        connect_and_send(puts.emplace_back(client), kHoldPut);
    }
    expect_leases(*offload_threads, {1, 1});
    handler.hold_gate = true;
    for (tcp::socket& put : puts) {
        const std::string out = read_until_closed(put);
        EXPECT_NE(out.find("opened"), std::string::npos) << out;
    }
    expect_leases(*offload_threads, {0, 0});
}

// An offloaded PUT resumes on its connection's own loop and is answered;
// with one I/O thread a GET on another connection is answered meanwhile.
TEST_F(ServerTest, OffloadedPutResumesOnItsIoThread) {
    start({}, /*inline_handlers=*/true, /*offload_puts=*/true, /*io_thread_count=*/1);
    expect_a_get_answered_while_a_put_waits();
}

TEST_F(ServerTest, StopLetsTheInFlightRequestFinishOnIoThreads) {
    start({}, /*inline_handlers=*/true, /*offload_puts=*/false, /*io_thread_count=*/2);
    expect_stop_lets_the_in_flight_request_finish();
}

TEST_F(ServerTest, IdleConnectionOnAnIoThreadIsClosedAfterTheIdleTimeout) {
    start(one_second_timeouts(), /*inline_handlers=*/true, /*offload_puts=*/false,
          /*io_thread_count=*/2);
    expect_closed_after_the_idle_timeout();
}

TEST_F(ServerTest, StreamedBodySendsEachPartBeforeTheNextIsMade) {
    start();
    asio::io_context client;
    tcp::socket s(client);
    connect_and_send(s, "GET /stream HTTP/1.1\r\nHost: x\r\n\r\n");
    // The first part arrives while the second waits for the gate: had the
    // server made the whole body first, it would hold "late;" after 5 s.
    std::string out;
    char buf[4096];
    while (out.find("first;") == std::string::npos) {
        out.append(buf, s.read_some(asio::buffer(buf)));
    }
    EXPECT_EQ(out.find("second;"), std::string::npos) << out;
    handler.stream_gate = true;
    while (out.find("\r\n0\r\n\r\n") == std::string::npos) {
        out.append(buf, s.read_some(asio::buffer(buf)));
    }
    EXPECT_NE(out.find("Transfer-Encoding: chunked"), std::string::npos) << out;
    EXPECT_EQ(out.find("Content-Length"), std::string::npos) << out;
    const auto first = out.find("first;"), second = out.find("second;"),
               third = out.find("third;");
    ASSERT_NE(second, std::string::npos) << out;
    EXPECT_LT(first, second);
    EXPECT_LT(second, third);
    EXPECT_EQ(out.find("late;"), std::string::npos) << out;
    // The connection is kept: the next request on it is answered.
    asio::write(s, asio::buffer(std::string("GET /after HTTP/1.1\r\nHost: x\r\n"
                                            "Connection: close\r\n\r\n")));
    boost::system::error_code ec;
    std::string rest;
    while (!ec) rest.append(buf, s.read_some(asio::buffer(buf), ec));
    EXPECT_NE(rest.find("GET /after"), std::string::npos) << rest;
}

TEST_F(ServerTest, StreamedBodyForHttp10IsWholeWithALength) {
    start({}, /*inline_handlers=*/true);
    handler.stream_gate = true;
    const std::string out = exchange("GET /stream HTTP/1.0\r\nHost: x\r\n\r\n");
    EXPECT_NE(out.find("Content-Length: 19"), std::string::npos) << out;
    EXPECT_EQ(out.find("chunked"), std::string::npos) << out;
    EXPECT_NE(out.find("\r\n\r\nfirst;second;third;"), std::string::npos) << out;
}

TEST_F(ServerTest, StreamThatFailsIsCutOffWithoutItsLastChunk) {
    start();
    // Had the failure been answered as a whole response, the second
    // request on the connection would be answered too.
    const std::string out = exchange(
        "GET /stream-fail HTTP/1.1\r\nHost: x\r\n\r\nGET /next HTTP/1.1\r\nHost: x\r\n\r\n");
    EXPECT_NE(out.find("first;"), std::string::npos) << out;
    EXPECT_EQ(out.find("\r\n0\r\n\r\n"), std::string::npos) << out;
    EXPECT_EQ(out.find("GET /next"), std::string::npos) << out;
}

TEST_F(ServerTest, StreamThatFailsForHttp10Is500) {
    start();
    const std::string out = exchange("GET /stream-fail HTTP/1.0\r\nHost: x\r\n\r\n");
    EXPECT_TRUE(out.starts_with("HTTP/1.0 500")) << out;
    EXPECT_EQ(out.find("first;"), std::string::npos) << out;
}
