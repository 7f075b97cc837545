#include "seeder.hpp"

#include "ops.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/object.hpp>

#include <atomic>
#include <cstdio>
#include <thread>

namespace cosmo::loadtest {

namespace {

using Clock = std::chrono::steady_clock;

struct Shared {
    std::atomic<std::int64_t> next{0};
    std::int64_t total = 0;
    std::atomic<std::uint64_t> done{0};
    std::atomic<int> running{0};
};

asio::awaitable<void> worker(Client& c, Workload& w, Shared& sh, int first_user, SeedResult& out) {
    while (true) {
        const std::int64_t job = sh.next.fetch_add(1);
        if (job >= sh.total) {
            break;
        }
        // Index-major order: concurrent PUTs go to different users, so each
        // user's password is verified once (scrypt) instead of once per
        // connection racing on a cold credential cache.
        const int users = w.options().users - first_user;
        const int user = first_user + static_cast<int>(job % users);
        const int index = static_cast<int>(job / users);
        const EventSpec spec = w.model().event(user, index);
        std::string body = w.model().ical(spec);
        out.bytes += body.size();
        const auto start = Clock::now();
        const Reply r = co_await ops::send(c, w, user, http::verb::put,
                                           SeedModel::calendar_path(user) + spec.name,
                                           std::move(body), "text/calendar; charset=utf-8",
                                           ops::header("If-None-Match", "*"));
        out.latency.record(
            std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start).count());
        if (r.status == 201) {
            ++out.created;
        } else if (r.status == 412) {
            ++out.existed;
        } else {
            ++out.errors[r.status == 0 ? "io" : std::to_string(r.status)];
        }
        ++sh.done;
    }
    --sh.running;
}

asio::awaitable<void> reporter(Shared& sh, Clock::time_point start) {
    asio::steady_timer timer(co_await asio::this_coro::executor);
    while (sh.running.load() > 0) {
        timer.expires_after(std::chrono::seconds(5));
        co_await timer.async_wait(asio::use_awaitable);
        const double s = std::chrono::duration<double>(Clock::now() - start).count();
        const auto d = sh.done.load();
        std::fprintf(stderr, "seed: %llu / %lld PUTs, %.0f/s\n", static_cast<unsigned long long>(d),
                     static_cast<long long>(sh.total), s > 0 ? d / s : 0.0);
    }
}

}  // namespace

SeedResult seed_events(Workload& w, int concurrency, int first_user, bool progress) {
    const RunOptions& o = w.options();
    asio::io_context io(std::max(1, o.threads));
    const Endpoint endpoint = Endpoint::parse(o.url);
    const auto target = resolve(io, endpoint);
    Shared sh;
    sh.total = static_cast<std::int64_t>(std::max(0, o.users - first_user)) * o.events;
    std::vector<std::unique_ptr<Client>> clients;
    std::vector<SeedResult> parts(static_cast<std::size_t>(concurrency));
    const auto start = Clock::now();
    sh.running = concurrency;
    for (int i = 0; i < concurrency; ++i) {
        clients.push_back(std::make_unique<Client>(
            i, HttpConnection(asio::make_strand(io), endpoint, target,
                              std::chrono::seconds(o.timeout_s)),
            static_cast<std::uint64_t>(i)));
        asio::co_spawn(clients.back()->http.executor(),
                       worker(*clients.back(), w, sh, first_user, parts[static_cast<std::size_t>(i)]),
                       asio::detached);
    }
    if (progress) {
        asio::co_spawn(io, reporter(sh, start), asio::detached);
    }
    std::vector<std::thread> pool;
    for (int i = 1; i < o.threads; ++i) {
        pool.emplace_back([&io] { io.run(); });
    }
    io.run();
    for (auto& t : pool) {
        t.join();
    }
    SeedResult result;
    for (const SeedResult& p : parts) {
        result.created += p.created;
        result.existed += p.existed;
        result.bytes += p.bytes;
        result.latency.merge(p.latency);
        for (const auto& [k, v] : p.errors) {
            result.errors[k] += v;
        }
    }
    result.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    return result;
}

boost::json::value to_json(const SeedResult& r) {
    boost::json::object errors;
    for (const auto& [k, v] : r.errors) {
        errors[k] = v;
    }
    const std::uint64_t n = r.latency.count();
    return boost::json::object{
        {"created", r.created},
        {"existed", r.existed},
        {"errors", errors},
        {"seconds", r.seconds},
        {"puts_per_second", r.seconds > 0 ? static_cast<double>(n) / r.seconds : 0.0},
        {"mean_body_bytes", n > 0 ? static_cast<double>(r.bytes) / static_cast<double>(n) : 0.0},
        {"latency_ms", boost::json::object{{"p50", r.latency.percentile(50) / 1000.0},
                                           {"p99", r.latency.percentile(99) / 1000.0},
                                           {"max", r.latency.max() / 1000.0}}},
    };
}

}  // namespace cosmo::loadtest
