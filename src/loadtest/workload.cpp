#include "workload.hpp"

#include "ops.hpp"

#include <algorithm>
#include <fstream>
#include <stdexcept>

namespace cosmo::loadtest {

Credentials Credentials::load(const std::string& path) {
    std::ifstream in(path);
    if (!in) {
        throw std::runtime_error("cannot read password file " + path);
    }
    // One line: everyone's password (it may contain ':'). More: "user:password" lines.
    std::vector<std::string> lines;
    std::string line;
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r') {
            line.pop_back();
        }
        if (!line.empty()) {
            lines.push_back(line);
        }
    }
    Credentials c;
    if (lines.size() == 1) {
        c.common_ = lines[0];
    } else {
        for (const std::string& l : lines) {
            const auto colon = l.find(':');
            if (colon != std::string::npos) {
                c.per_user_[l.substr(0, colon)] = l.substr(colon + 1);
            }
        }
    }
    if (c.common_.empty() && c.per_user_.empty()) {
        throw std::runtime_error("password file " + path + " is empty");
    }
    return c;
}

Credentials Credentials::common(std::string password) {
    Credentials c;
    c.common_ = std::move(password);
    return c;
}

std::string Credentials::authorization(const std::string& user) const {
    const auto it = per_user_.find(user);
    return basic_authorization(user, it == per_user_.end() ? common_ : it->second);
}

Workload::Workload(RunOptions options, const Credentials& credentials)
    : options_(std::move(options)), model_(options_.seed, options_.events) {
    auth_.reserve(static_cast<std::size_t>(options_.users));
    for (int u = 0; u < options_.users; ++u) {
        auth_.push_back(credentials.authorization(SeedModel::user_name(u)));
    }
}

std::string Workload::event_href(int user, int index) {
    return SeedModel::calendar_path(user) + SeedModel::event_name(user, index);
}

bool Workload::is_created_href(const std::string& href) {
    const auto slash = href.rfind('/');
    const std::string_view name = std::string_view(href).substr(slash + 1);
    return name.starts_with("n-") || name.starts_with("d-");
}

const std::vector<std::string>& Workload::expected_month(int user, int month) {
    std::lock_guard lock(mutex_);
    auto [it, inserted] = months_.try_emplace({user, month});
    if (inserted) {
        const std::int64_t from = month_start_utc(SeedModel::kYear, month);
        const std::int64_t to = month_start_utc(SeedModel::kYear, month + 1);
        for (int i : model_.events_in_range(user, from, to)) {
            it->second.push_back(event_href(user, i));
        }
        std::sort(it->second.begin(), it->second.end());
    }
    return it->second;
}

const std::vector<Interval>& Workload::expected_busy(int user, int month) {
    std::lock_guard lock(mutex_);
    auto [it, inserted] = busy_.try_emplace({user, month});
    if (inserted) {
        it->second = model_.busy(user, month_start_utc(SeedModel::kYear, month),
                                 month_start_utc(SeedModel::kYear, month + 1));
    }
    return it->second;
}

void OpStats::merge(const OpStats& o) {
    latency.merge(o.latency);
    ok += o.ok;
    untimed_us += o.untimed_us;
    etag_fetches += o.etag_fetches;
    for (const auto& [k, v] : o.errors) {
        errors[k] += v;
    }
    for (const auto& p : o.problems) {
        if (problems.size() < 5) {
            problems.push_back(p);
        }
    }
}

const std::vector<OpEntry>& operations() {
    static const std::vector<OpEntry> k = {
        {"get", ops::op_get, nullptr, "GET of a seeded event (or --path)"},
        {"put-new", ops::op_put_new, nullptr, "PUT of a new event, If-None-Match: *"},
        {"put-update", ops::op_put_update, ops::setup_put_update,
         "PUT of a new revision, If-Match (ETags learned before measuring)"},
        {"delete", ops::op_delete, ops::setup_delete,
         "DELETE of events created by an unmeasured prefill"},
        {"propfind-d1", ops::op_propfind_d1, nullptr,
         "PROPFIND Depth 1 getetag+getcontenttype of a calendar"},
        {"query-month", ops::op_query_month, ops::setup_query_month,
         "calendar-query VEVENT, one-month range"},
        {"multiget-50", ops::op_multiget_50, nullptr, "calendar-multiget of 50 events"},
        {"sync-initial", ops::op_sync_initial, nullptr, "sync-collection from no token"},
        {"sync-delta", ops::op_sync_delta, nullptr,
         "sync-collection after --changes unmeasured edits"},
        {"freebusy-month", ops::op_freebusy_month, ops::setup_freebusy_month,
         "free-busy-query of one month"},
        {"profile-apple", ops::op_profile_apple, nullptr,
         "Apple Calendar poll: home PROPFIND D1, sync, multiget, edits"},
        {"profile-davx5", ops::op_profile_davx5, nullptr,
         "DAVx5 poll: ctag/token PROPFIND, sync, multiget by 10, edits"},
        {"profile-thunderbird", ops::op_profile_thunderbird, nullptr,
         "Thunderbird poll: getctag PROPFIND, sync (Depth 1), multiget, edits"},
    };
    return k;
}

const OpEntry* find_operation(std::string_view name) {
    for (const OpEntry& e : operations()) {
        if (name == e.name) {
            return &e;
        }
    }
    return nullptr;
}

}  // namespace cosmo::loadtest
