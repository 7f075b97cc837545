#include "runner.hpp"

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

struct Window {
    Clock::time_point origin;         // open loop: slot 0 is sent here
    Clock::time_point measure_start;  // after warm-up
    Clock::time_point deadline;       // no new iteration starts after this
};

struct ClientRun {
    OpStats stats;
    Clock::time_point stopped;
};

void record(OpStats& st, const Outcome& o, std::int64_t micros) {
    st.latency.record(micros);
    if (o.ok) {
        ++st.ok;
    } else if (o.status == 0) {
        ++st.errors["io"];
    } else if (!o.problem.empty()) {
        ++st.errors["invalid"];
        if (st.problems.size() < 5) {
            st.problems.push_back(o.problem);
        }
    } else {
        ++st.errors[std::to_string(o.status)];
    }
}

asio::awaitable<void> loop(Client& c, Workload& w, const OpEntry& op, const Window& win,
                           std::atomic<std::uint64_t>& slot, ClientRun& out) {
    const RunOptions& o = w.options();
    asio::steady_timer timer(co_await asio::this_coro::executor);
    const bool open = o.rate > 0;
    while (true) {
        Timing t;
        t.open_loop = open;
        if (open) {
            const std::uint64_t k = slot.fetch_add(1);
            const auto intended = win.origin + std::chrono::duration_cast<Clock::duration>(
                                                   std::chrono::duration<double>(k / o.rate));
            if (intended >= win.deadline) {
                break;
            }
            if (Clock::now() < intended) {
                timer.expires_at(intended);
                co_await timer.async_wait(asio::use_awaitable);
            }
            t.start = intended;
        } else {
            t.start = Clock::now();
            if (t.start >= win.deadline) {
                break;
            }
        }
        const auto began = t.start;
        const std::uint64_t fetches_before = c.etag_fetches;
        const Outcome outcome = co_await op.run(c, w, t);
        if (outcome.status == -1) {
            break;  // the operation has no more work for this connection
        }
        const auto end = Clock::now();
        out.stopped = end;
        if (t.start >= win.measure_start) {
            record(out.stats, outcome,
                   std::chrono::duration_cast<std::chrono::microseconds>(end - t.start).count());
            // Set-up the operation excluded from its latency (restart()).
            out.stats.untimed_us +=
                std::chrono::duration_cast<std::chrono::microseconds>(t.start - began).count();
            out.stats.etag_fetches += c.etag_fetches - fetches_before;
        }
        if (!open && o.think_ms > 0) {
            const double ms = o.think_ms * (0.5 + c.rng.unit());
            timer.expires_after(std::chrono::microseconds(static_cast<std::int64_t>(ms * 1000)));
            co_await timer.async_wait(asio::use_awaitable);
        }
    }
    if (out.stopped < win.measure_start) {
        out.stopped = Clock::now();
    }
}

void run_threads(asio::io_context& io, int threads) {
    std::vector<std::thread> pool;
    for (int i = 1; i < threads; ++i) {
        pool.emplace_back([&io] { io.run(); });
    }
    io.run();
    for (auto& t : pool) {
        t.join();
    }
}

std::string ms(std::int64_t micros) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f", static_cast<double>(micros) / 1000.0);
    return buf;
}

}  // namespace

double OpResult::timed_seconds() const {
    if (connections <= 0) {
        return seconds;
    }
    const double untimed = static_cast<double>(stats.untimed_us) / 1e6 / connections;
    return std::max(seconds - untimed, seconds * 0.01);
}

double OpResult::throughput() const {
    const double n = static_cast<double>(stats.latency.count());
    const double s = timed_seconds();
    return s > 0 ? n / s : 0;
}

double OpResult::goodput() const {
    const double s = timed_seconds();
    return s > 0 ? static_cast<double>(stats.ok) / s : 0;
}

OpResult run_operation(const OpEntry& op, Workload& w) {
    const RunOptions& o = w.options();
    const int threads = std::max(1, o.threads);
    asio::io_context io(threads);
    const Endpoint endpoint = Endpoint::parse(o.url);
    const auto target = resolve(io, endpoint);
    std::vector<std::unique_ptr<Client>> clients;
    const auto salt = static_cast<std::uint64_t>(Clock::now().time_since_epoch().count());
    for (int i = 0; i < o.connections; ++i) {
        clients.push_back(std::make_unique<Client>(
            i,
            HttpConnection(asio::make_strand(io), endpoint, target,
                           std::chrono::seconds(o.timeout_s)),
            salt ^ (static_cast<std::uint64_t>(i + 1) * 0x9E3779B97F4A7C15ULL)));
    }
    if (op.setup != nullptr) {
        // Unmeasured preparation, as long as the measurement itself at most.
        const auto until = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                              std::chrono::duration<double>(o.duration));
        for (auto& c : clients) {
            asio::co_spawn(c->http.executor(), op.setup(*c, w, until), asio::detached);
        }
        run_threads(io, threads);
        io.restart();
    }

    Window win;
    win.origin = Clock::now();
    win.measure_start = win.origin + std::chrono::duration_cast<Clock::duration>(
                                         std::chrono::duration<double>(o.warmup));
    win.deadline = win.measure_start + std::chrono::duration_cast<Clock::duration>(
                                           std::chrono::duration<double>(o.duration));
    std::atomic<std::uint64_t> slot{0};
    std::vector<ClientRun> runs(clients.size());
    for (std::size_t i = 0; i < clients.size(); ++i) {
        asio::co_spawn(clients[i]->http.executor(), loop(*clients[i], w, op, win, slot, runs[i]),
                       [](std::exception_ptr e) {
                           if (e) {
                               std::rethrow_exception(e);
                           }
                       });
    }
    run_threads(io, threads);

    OpResult result;
    result.op = op.name;
    result.mode = o.rate > 0 ? "open" : "closed";
    result.connections = o.connections;
    result.rate = o.rate;
    auto last = win.measure_start;
    for (const ClientRun& r : runs) {
        result.stats.merge(r.stats);
        last = std::max(last, r.stopped);
    }
    // An operation that ran out of work (delete) ends early: count its real time.
    result.seconds = std::min(o.duration,
                              std::chrono::duration<double>(last - win.measure_start).count());
    return result;
}

void print_table(std::ostream& out, const std::vector<OpResult>& results) {
    char line[256];
    std::snprintf(line, sizeof line, "%-20s %-6s %5s %8s %10s %8s %8s %8s %9s  %s\n", "operation",
                  "mode", "conns", "count", "req/s", "p50 ms", "p90 ms", "p99 ms", "max ms",
                  "errors");
    out << line;
    for (const OpResult& r : results) {
        std::string errors;
        for (const auto& [k, v] : r.stats.errors) {
            errors += (errors.empty() ? "" : " ") + k + ":" + std::to_string(v);
        }
        const Histogram& h = r.stats.latency;
        std::snprintf(line, sizeof line, "%-20s %-6s %5d %8llu %10.1f %8s %8s %8s %9s  %s\n",
                      r.op.c_str(), r.mode.c_str(), r.connections,
                      static_cast<unsigned long long>(h.count()), r.throughput(),
                      ms(h.percentile(50)).c_str(), ms(h.percentile(90)).c_str(),
                      ms(h.percentile(99)).c_str(), ms(h.max()).c_str(),
                      errors.empty() ? "-" : errors.c_str());
        out << line;
        for (const std::string& p : r.stats.problems) {
            out << "    invalid: " << p << "\n";
        }
    }
}

boost::json::value to_json(const OpResult& r) {
    const Histogram& h = r.stats.latency;
    auto msd = [](std::int64_t micros) { return static_cast<double>(micros) / 1000.0; };
    boost::json::object errors;
    for (const auto& [k, v] : r.stats.errors) {
        errors[k] = v;
    }
    boost::json::array problems;
    for (const auto& p : r.stats.problems) {
        problems.emplace_back(p);
    }
    return boost::json::object{
        {"op", r.op},
        {"mode", r.mode},
        {"connections", r.connections},
        {"rate", r.rate},
        {"seconds", r.seconds},
        {"untimed_seconds", static_cast<double>(r.stats.untimed_us) / 1e6},
        {"etag_fetches", r.stats.etag_fetches},
        {"requests", h.count()},
        {"ok", r.stats.ok},
        {"throughput", r.throughput()},
        {"goodput", r.goodput()},
        {"errors", errors},
        {"problems", problems},
        {"latency_ms",
         boost::json::object{{"p50", msd(h.percentile(50))},
                             {"p90", msd(h.percentile(90))},
                             {"p99", msd(h.percentile(99))},
                             {"max", msd(h.max())},
                             {"mean", h.mean() / 1000.0}}},
    };
}

}  // namespace cosmo::loadtest
