#include "cosmo/admin/metrics.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include <spdlog/fmt/fmt.h>

namespace cosmo::admin {

namespace {

/// A label value as the text format wants it: backslash, double quote and
/// line feed escaped.
void append_escaped(std::string& out, std::string_view value) {
    for (const char c : value) {
        switch (c) {
            case '\\': out += "\\\\"; break;
            case '"': out += "\\\""; break;
            case '\n': out += "\\n"; break;
            default: out += c;
        }
    }
}

/// The process figures Prometheus' client libraries export under the same
/// names (process_*), read from /proc/self.
struct ProcessStats {
    double cpu_seconds = 0;
    double start_time_seconds = 0;
    std::uint64_t resident_bytes = 0;
    std::uint64_t virtual_bytes = 0;
    std::uint64_t threads = 0;
};

std::optional<ProcessStats> read_process_stats() {
    std::ifstream stat("/proc/self/stat");
    std::string line;
    if (!std::getline(stat, line)) return std::nullopt;
    // The command name (field 2) is in parentheses and may hold spaces:
    // the fields counted from 3 start after the last ')'.
    const auto close = line.rfind(')');
    if (close == std::string::npos) return std::nullopt;
    std::istringstream in(line.substr(close + 2));
    std::vector<std::string> fields;  // fields[0] is field 3 (state)
    for (std::string f; in >> f;) fields.push_back(std::move(f));
    if (fields.size() < 22) return std::nullopt;
    const auto field = [&](int n) { return std::stoull(fields[static_cast<std::size_t>(n - 3)]); };
    const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
    const double page = static_cast<double>(sysconf(_SC_PAGESIZE));
    ProcessStats s;
    s.cpu_seconds = static_cast<double>(field(14) + field(15)) / ticks;
    s.threads = field(20);
    s.virtual_bytes = field(23);
    s.resident_bytes = static_cast<std::uint64_t>(static_cast<double>(field(24)) * page);
    // Field 22 is the start in ticks after boot; /proc/stat has the boot.
    std::ifstream proc_stat("/proc/stat");
    for (std::string key; proc_stat >> key;) {
        if (key == "btime") {
            double boot = 0;
            proc_stat >> boot;
            s.start_time_seconds = boot + static_cast<double>(field(22)) / ticks;
            break;
        }
        std::getline(proc_stat, line);
    }
    return s;
}

std::uint64_t open_fds() {
    std::error_code ec;
    std::uint64_t n = 0;
    for (std::filesystem::directory_iterator it("/proc/self/fd", ec), end; !ec && it != end;
         it.increment(ec)) {
        ++n;
    }
    return n;
}

void render_listeners(MetricsText& m, const std::vector<ListenerSource>& listeners) {
    using Method = http::RequestMetrics::Method;
    std::vector<std::vector<Method>> methods;
    for (const ListenerSource& l : listeners) methods.push_back(l.requests->snapshot());

    m.family("cosmo_http_requests_total", "counter",
             "Requests answered, by listener, method and status (requests refused before "
             "they were read whole count as method \"other\").");
    for (std::size_t i = 0; i < listeners.size(); ++i) {
        for (const Method& method : methods[i]) {
            for (const auto& [status, n] : method.statuses) {
                const std::string code = std::to_string(status);
                m.sample("cosmo_http_requests_total",
                         {{"listener", listeners[i].name}, {"method", method.name}, {"code", code}},
                         n);
            }
        }
    }
    m.family("cosmo_http_request_duration_seconds", "histogram",
             "From a request read whole until its response was written, by listener and "
             "method.");
    for (std::size_t i = 0; i < listeners.size(); ++i) {
        for (const Method& method : methods[i]) {
            const std::vector<MetricsText::Label> labels{{"listener", listeners[i].name},
                                                         {"method", method.name}};
            std::uint64_t cumulative = 0;
            for (std::size_t b = 0; b < http::RequestMetrics::kBuckets; ++b) {
                cumulative += method.buckets[b];
                const std::string le = b < http::RequestMetrics::kBounds.size()
                                           ? fmt::format("{}", http::RequestMetrics::kBounds[b])
                                           : std::string("+Inf");
                auto with_le = labels;
                with_le.emplace_back("le", le);
                m.sample("cosmo_http_request_duration_seconds_bucket", with_le, cumulative);
            }
            m.sample("cosmo_http_request_duration_seconds_sum", labels, method.seconds);
            m.sample("cosmo_http_request_duration_seconds_count", labels, cumulative);
        }
    }
    m.family("cosmo_http_requests_in_flight", "gauge",
             "Requests read and not yet answered, by listener.");
    for (const ListenerSource& l : listeners) {
        m.sample("cosmo_http_requests_in_flight", {{"listener", l.name}},
                 static_cast<double>(l.requests->in_flight()));
    }
    m.family("cosmo_http_connections", "gauge", "Client connections open, by listener.");
    for (const ListenerSource& l : listeners) {
        m.sample("cosmo_http_connections", {{"listener", l.name}},
                 static_cast<std::uint64_t>(l.connections ? l.connections() : 0));
    }
}

void render_shards(MetricsText& m, const std::vector<store::ShardStats>& shards) {
    using Stats = store::ShardStats;
    const auto per_shard = [&](std::string_view name, std::string_view type,
                               std::string_view help, auto value) {
        m.family(name, type, help);
        for (const Stats& s : shards) {
            m.sample(name, {{"shard", s.shard}}, static_cast<std::uint64_t>(value(s)));
        }
    };
    per_shard("cosmo_db_connections", "gauge",
              "Database connections of the shard's pool: idle, leased or being opened.",
              [](const Stats& s) { return s.connections_open; });
    per_shard("cosmo_db_connections_idle", "gauge", "Database connections waiting in the pool.",
              [](const Stats& s) { return s.connections_idle; });
    per_shard("cosmo_db_connections_opened_total", "counter", "Database connections opened.",
              [](const Stats& s) { return s.connections_opened; });
    per_shard("cosmo_db_connections_dropped_total", "counter",
              "Database connections closed as broken or of unknown state.",
              [](const Stats& s) { return s.connections_dropped; });
    per_shard("cosmo_db_acquire_waits_total", "counter",
              "Requests that found no database connection free and waited for one.",
              [](const Stats& s) { return s.acquire_waits; });
    per_shard("cosmo_db_acquire_timeouts_total", "counter",
              "Requests that gave up waiting for a connection (503).",
              [](const Stats& s) { return s.acquire_timeouts; });
    per_shard("cosmo_db_acquire_refused_total", "counter",
              "Requests refused because the shard's database was unreachable (503).",
              [](const Stats& s) { return s.acquire_refused; });

    using Groups = Stats::Groups;
    const auto per_group = [&](std::string_view name, std::string_view type,
                               std::string_view help, auto value) {
        m.family(name, type, help);
        for (const Stats& s : shards) {
            for (const Groups& g : s.groups) {
                m.sample(name, {{"shard", s.shard}, {"statement", g.statement}},
                         static_cast<std::uint64_t>(value(g)));
            }
        }
    };
    per_group("cosmo_db_group_statements_total", "counter",
              "Statements that ran for a group of requests (one or more; for PUTs, "
              "committed), by shard and statement.",
              [](const Groups& g) { return g.statements; });
    per_group("cosmo_db_group_requests_total", "counter",
              "Requests carried by those statements; divided by the statements, the mean "
              "group size.",
              [](const Groups& g) { return g.requests; });
    per_group("cosmo_db_group_rollbacks_total", "counter",
              "Groups rolled back whole, whose requests then ran alone.",
              [](const Groups& g) { return g.rolled_back; });
    per_group("cosmo_db_group_failures_total", "counter",
              "Groups whose error (a broken connection) every member got.",
              [](const Groups& g) { return g.failed; });
    per_group("cosmo_db_group_queued", "gauge", "Requests waiting for a group now.",
              [](const Groups& g) { return g.queued; });
}

void render_caches(MetricsText& m, const std::vector<CacheSource>& caches) {
    std::vector<CacheStats> stats;
    for (const CacheSource& c : caches) stats.push_back(c.read());
    m.family("cosmo_cache_bytes", "gauge", "Bytes a cache holds, by its own estimate.");
    for (std::size_t i = 0; i < caches.size(); ++i) {
        m.sample("cosmo_cache_bytes", {{"cache", caches[i].name}},
                 static_cast<std::uint64_t>(stats[i].bytes));
    }
    m.family("cosmo_cache_max_bytes", "gauge", "The size a cache is configured to.");
    for (std::size_t i = 0; i < caches.size(); ++i) {
        m.sample("cosmo_cache_max_bytes", {{"cache", caches[i].name}},
                 static_cast<std::uint64_t>(stats[i].max_bytes));
    }
    m.family("cosmo_cache_lookups_total", "counter",
             "Cache lookups by how they ended (object cache: a kept answer, a kept object, "
             "or a miss, per object; listing cache: hit or miss, per listing).");
    for (std::size_t i = 0; i < caches.size(); ++i) {
        for (const auto& [result, n] : stats[i].lookups) {
            m.sample("cosmo_cache_lookups_total", {{"cache", caches[i].name}, {"result", result}},
                     n);
        }
    }
}

void render_auth(MetricsText& m, const AuthStats& auth) {
    m.family("cosmo_auth_password_hashes_total", "counter",
             "Password derivations (scrypt) run: first logins and expired verifications.");
    m.sample("cosmo_auth_password_hashes_total", {}, auth.hashes);
    m.family("cosmo_auth_password_hashes_waiting", "gauge",
             "Requests waiting now for a derivation slot (one a core).");
    m.sample("cosmo_auth_password_hashes_waiting", {}, static_cast<std::uint64_t>(auth.waiting));
}

void render_process(MetricsText& m) {
    if (const auto p = read_process_stats()) {
        m.family("process_cpu_seconds_total", "counter", "User and system CPU time spent.");
        m.sample("process_cpu_seconds_total", {}, p->cpu_seconds);
        m.family("process_resident_memory_bytes", "gauge", "Resident memory size.");
        m.sample("process_resident_memory_bytes", {}, p->resident_bytes);
        m.family("process_virtual_memory_bytes", "gauge", "Virtual memory size.");
        m.sample("process_virtual_memory_bytes", {}, p->virtual_bytes);
        m.family("process_start_time_seconds", "gauge",
                 "Start time of the process since the Unix epoch.");
        m.sample("process_start_time_seconds", {}, p->start_time_seconds);
        m.family("process_threads", "gauge", "Threads of the process.");
        m.sample("process_threads", {}, p->threads);
    }
    m.family("process_open_fds", "gauge", "Open file descriptors.");
    m.sample("process_open_fds", {}, open_fds());
    if (rlimit limit{}; getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY) {
        m.family("process_max_fds", "gauge", "The most file descriptors the process may open.");
        m.sample("process_max_fds", {}, static_cast<std::uint64_t>(limit.rlim_cur));
    }
}

}  // namespace

void MetricsText::family(std::string_view name, std::string_view type, std::string_view help) {
    out_ += "# HELP ";
    out_ += name;
    out_ += ' ';
    // HELP text escapes backslash and line feed (not quotes).
    for (const char c : help) {
        if (c == '\\') {
            out_ += "\\\\";
        } else if (c == '\n') {
            out_ += "\\n";
        } else {
            out_ += c;
        }
    }
    out_ += "\n# TYPE ";
    out_ += name;
    out_ += ' ';
    out_ += type;
    out_ += '\n';
}

void MetricsText::start_sample(std::string_view name, const std::vector<Label>& labels) {
    out_ += name;
    if (labels.empty()) return;
    out_ += '{';
    for (std::size_t i = 0; i < labels.size(); ++i) {
        if (i > 0) out_ += ',';
        out_ += labels[i].first;
        out_ += "=\"";
        append_escaped(out_, labels[i].second);
        out_ += '"';
    }
    out_ += '}';
}

void MetricsText::sample(std::string_view name, const std::vector<Label>& labels,
                         double value) {
    start_sample(name, labels);
    fmt::format_to(std::back_inserter(out_), " {}\n", value);
}

void MetricsText::sample(std::string_view name, const std::vector<Label>& labels,
                         std::uint64_t value) {
    start_sample(name, labels);
    fmt::format_to(std::back_inserter(out_), " {}\n", value);
}

std::string render_metrics(const MetricsSources& sources) {
    MetricsText m;
    render_listeners(m, sources.listeners);
    if (sources.shards != nullptr) {
        render_shards(m, sources.shards->stats());
    }
    if (!sources.caches.empty()) {
        render_caches(m, sources.caches);
    }
    if (sources.auth) {
        render_auth(m, sources.auth());
    }
    render_process(m);
    return m.text();
}

}  // namespace cosmo::admin
