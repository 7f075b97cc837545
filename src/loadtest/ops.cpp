// Single-request operations and the helpers shared with the client profiles.
// Every operation validates the answer against the seed model, not just the
// status: a wrong answer counts as "invalid", never as a success.

#include "ops.hpp"

#include "multistatus.hpp"
#include "requests.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <cstdio>
#include <set>
#include <string_view>
#include <unordered_set>
#include <utility>

namespace cosmo::loadtest::ops {

namespace {

constexpr const char* kCalendarType = "text/calendar; charset=utf-8";
constexpr const char* kXmlType = "application/xml; charset=utf-8";

// Parses "eUUUU-IIIII.ics" at the end of an href (wider numbers past 9999
// users); {-1, -1} if not seeded. By hand: sscanf was 5% of the client's
// time on 1,000-member listings.
std::pair<int, int> seeded_index(std::string_view href) {
    const auto slash = href.rfind('/');
    std::string_view name = href.substr(slash == std::string_view::npos ? 0 : slash + 1);
    if (name.size() < 7 || name[0] != 'e' || name.substr(name.size() - 4) != ".ics") {
        return {-1, -1};
    }
    name = name.substr(1, name.size() - 5);  // "UUUU-IIIII"
    const auto dash = name.find('-');
    auto number = [](std::string_view digits) {
        if (digits.empty() || digits.size() > 9) {
            return -1;
        }
        int n = 0;
        for (const char c : digits) {
            if (c < '0' || c > '9') {
                return -1;
            }
            n = n * 10 + (c - '0');
        }
        return n;
    };
    if (dash == std::string_view::npos) {
        return {-1, -1};
    }
    const int user = number(name.substr(0, dash)), index = number(name.substr(dash + 1));
    return user < 0 || index < 0 ? std::pair{-1, -1} : std::pair{user, index};
}

std::string created_name(Client& c, Workload& w, const char* kind) {
    char buf[96];
    std::snprintf(buf, sizeof buf, "%s-%s-%d-%llu.ics", kind, w.options().tag.c_str(), c.index,
                  static_cast<unsigned long long>(c.counter++));
    return buf;
}

// An event outside every queried month (2030), so created resources never
// change what month queries and free-busy must return.
std::string created_body(Client& c, Workload& w, const std::string& name) {
    EventSpec e = w.model().event(0, static_cast<int>(c.counter % 97));
    e.kind = Kind::kSingle;
    e.date = {2030, 1 + static_cast<int>(c.counter % 12), 10};
    e.uid = name.substr(0, name.size() - 4) + "@loadtest.cosmo";
    return w.model().ical(e);
}

// Checks an ETag listing (PROPFIND Depth 1 or an initial sync) of a user's
// calendar: every seeded event once with an ETag, nothing unknown.
std::string check_listing(const Multistatus& ms, Workload& w, int user) {
    if (!ms.ok) {
        return "not a multistatus";
    }
    const std::string collection = SeedModel::calendar_path(user);
    std::vector<char> seen(static_cast<std::size_t>(w.options().events), 0);
    int seeded = 0;
    for (const MsResponse& r : ms.responses) {
        if (r.href == collection) {
            continue;
        }
        const auto [u, i] = seeded_index(r.href);
        if (u == user && i >= 0 && i < w.options().events) {
            if (r.etag.empty()) {
                return "no getetag for " + r.href;
            }
            if (!seen[static_cast<std::size_t>(i)]) {
                seen[static_cast<std::size_t>(i)] = 1;
                ++seeded;
            }
        } else if (!Workload::is_created_href(r.href)) {
            return "unexpected member " + r.href;
        }
    }
    if (seeded != w.options().events) {
        return "listed " + std::to_string(seeded) + " of " + std::to_string(w.options().events) +
               " seeded events";
    }
    return {};
}

std::string preview(const std::vector<std::string>& v) {
    std::string out;
    for (std::size_t i = 0; i < v.size() && i < 3; ++i) {
        out += (i ? ", " : "") + v[i].substr(v[i].rfind('/') + 1);
    }
    return out + (v.size() > 3 ? ", ..." : "");
}

}  // namespace

Headers header(std::string name, std::string value) {
    Headers h;
    h.emplace_back(std::move(name), std::move(value));
    return h;
}

Outcome bad_status(const Reply& r) { return Outcome{r.status, false, {}}; }

Outcome invalid(int status, std::string problem) {
    return Outcome{status, false, std::move(problem)};
}

asio::awaitable<Reply> send(Client& c, Workload& w, int user, http::verb method,
                            std::string target, std::string body, std::string content_type,
                            Headers headers) {
    Request req;
    req.method = method;
    req.target = std::move(target);
    if (user >= 0) {
        req.authorization = w.auth(user);
    }
    req.body = std::move(body);
    req.content_type = std::move(content_type);
    req.headers = std::move(headers);
    co_return co_await c.http.send(req);
}

bool users_exclusive(const Workload& w) { return w.options().users >= w.options().connections; }

int owned_user(Client& c, const Workload& w) {
    const int n = w.options().connections;
    const int users = w.options().users;
    if (users < n) {
        return c.index % users;
    }
    const int mine = (users - 1 - c.index) / n + 1;
    return c.index + n * static_cast<int>(c.rng.below(static_cast<std::uint64_t>(mine)));
}

int owned_index(Client& c, const Workload& w, int user) {
    const int events = w.options().events;
    if (users_exclusive(w)) {
        return static_cast<int>(c.rng.below(static_cast<std::uint64_t>(events)));
    }
    // Connections c with c.index % users == user share the user; the one of
    // rank r among its m sharers takes the events r, r + m, r + 2m, ...
    const int users = w.options().users;
    const int sharers = (w.options().connections - 1 - user) / users + 1;
    const int rank = c.index / users;
    if (rank >= events) {
        return static_cast<int>(c.rng.below(static_cast<std::uint64_t>(events)));
    }
    const int mine = (events - 1 - rank) / sharers + 1;
    return rank + sharers * static_cast<int>(c.rng.below(static_cast<std::uint64_t>(mine)));
}

std::pair<int, int> owned_event(Client& c, const Workload& w) {
    const int events = w.options().events;
    if (users_exclusive(w)) {
        return {owned_user(c, w), static_cast<int>(c.rng.below(static_cast<std::uint64_t>(events)))};
    }
    // Fewer users than connections: split the events instead.
    const std::int64_t total = static_cast<std::int64_t>(w.options().users) * events;
    const int n = w.options().connections;
    const std::int64_t mine = c.index < total ? (total - 1 - c.index) / n + 1 : 0;
    const std::int64_t g = mine == 0 ? static_cast<std::int64_t>(c.rng.below(total))
                                     : c.index + n * static_cast<std::int64_t>(
                                                         c.rng.below(static_cast<std::uint64_t>(mine)));
    return {static_cast<int>(g / events), static_cast<int>(g % events)};
}

asio::awaitable<std::optional<Outcome>> ensure_etag(Client& c, Workload& w, int user, int index) {
    const std::string href = Workload::event_href(user, index);
    if (c.etags.contains(href)) {
        co_return std::nullopt;
    }
    ++c.etag_fetches;
    const Reply r = co_await send(c, w, user, http::verb::get, href);
    if (r.status != 200) {
        co_return bad_status(r);
    }
    if (r.etag.empty()) {
        co_return invalid(r.status, "GET without ETag");
    }
    c.etags[href] = r.etag;
    // Continue the SEQUENCE the server has, so every edit changes the bytes.
    const auto seq = r.body.find("SEQUENCE:");
    c.revisions[href] = seq == std::string::npos ? 0 : std::atoi(r.body.c_str() + seq + 9);
    co_return std::nullopt;
}

asio::awaitable<Outcome> edit_event(Client& c, Workload& w, int user, int index) {
    if (auto failed = co_await ensure_etag(c, w, user, index)) {
        co_return *failed;
    }
    const std::string href = Workload::event_href(user, index);
    const int revision = ++c.revisions[href];
    std::string body = w.model().ical(w.model().event(user, index), revision);
    const Reply r = co_await send(c, w, user, http::verb::put, href, std::move(body),
                                  kCalendarType, header("If-Match", c.etags[href]));
    if (r.status != 204 && r.status != 200) {
        c.etags.erase(href);  // refetch next time (412: someone else changed it)
        co_return bad_status(r);
    }
    if (r.etag.empty()) {
        c.etags.erase(href);
    } else {
        c.etags[href] = r.etag;
    }
    if (auto it = c.sync.find(user); it != c.sync.end()) {
        it->second.pending.insert(href);
        it->second.etag_after[href] = r.etag;
    }
    co_return Outcome{r.status, true, {}};
}

asio::awaitable<Outcome> multiget(Client& c, Workload& w, int user,
                                  const std::vector<std::string>& hrefs, std::size_t batch,
                                  bool remember) {
    Outcome last{207, true, {}};
    for (std::size_t from = 0; from < hrefs.size(); from += batch) {
        const std::vector<std::string> part(
            hrefs.begin() + static_cast<std::ptrdiff_t>(from),
            hrefs.begin() + static_cast<std::ptrdiff_t>(std::min(hrefs.size(), from + batch)));
        const Reply r = co_await send(c, w, user, http::verb::report, SeedModel::calendar_path(user),
                                      calendar_multiget(part), kXmlType, header("Depth", "1"));
        if (r.status != 207) {
            co_return bad_status(r);
        }
        const Multistatus ms = parse_multistatus(r.body);
        // Each asked href must come back once with data (a set, not a scan
        // of the batch per response: 2,500 string compares a request).
        std::unordered_set<std::string_view> missing(part.begin(), part.end());
        for (const MsResponse& m : ms.responses) {
            if (m.has_calendar_data && m.calendar_data.find("BEGIN:VCALENDAR") != std::string::npos &&
                missing.erase(m.href) == 1 && remember && !m.etag.empty()) {
                c.etags[m.href] = m.etag;
            }
        }
        if (!ms.ok || !missing.empty()) {
            co_return invalid(r.status, "multiget: " + std::to_string(part.size() - missing.size()) +
                                            " of " + std::to_string(part.size()) + " bodies");
        }
    }
    co_return last;
}

asio::awaitable<Outcome> read_ctag(Client& c, Workload& w, int user, std::string* ctag,
                                   std::string* token) {
    const std::string path = SeedModel::calendar_path(user);
    const Reply r = co_await send(c, w, user, http::verb::propfind, path, propfind_ctag(),
                                  kXmlType, header("Depth", "0"));
    if (r.status != 207) {
        co_return bad_status(r);
    }
    const Multistatus ms = parse_multistatus(r.body);
    if (!ms.ok || ms.responses.empty()) {
        co_return invalid(r.status, "PROPFIND Depth 0: no response");
    }
    *ctag = ms.responses.front().ctag;
    *token = ms.responses.front().sync_token;
    co_return Outcome{r.status, true, {}};
}

asio::awaitable<Outcome> sync_delta(Client& c, Workload& w, int user, bool exact, bool depth1,
                                    std::vector<std::string>* changed) {
    SyncState& st = c.sync[user];
    const std::string path = SeedModel::calendar_path(user);
    // RFC 6578 §3.2 wants Depth 0; Thunderbird 128 sends Depth 1 (CLIENTS.md).
    const Reply r = co_await send(c, w, user, http::verb::report, path, sync_collection(st.token),
                                  kXmlType, header("Depth", depth1 ? "1" : "0"));
    if (r.status != 207) {
        co_return bad_status(r);
    }
    const Multistatus ms = parse_multistatus(r.body);
    if (!ms.ok || ms.sync_token.empty()) {
        co_return invalid(r.status, "sync-collection: no sync-token");
    }
    std::set<std::string> reported;
    for (const MsResponse& m : ms.responses) {
        if (m.href == path) {
            continue;
        }
        reported.insert(m.href);
        if (m.status != 404) {
            if (changed) {
                changed->push_back(m.href);
            }
            const auto after = st.etag_after.find(m.href);
            if (after != st.etag_after.end() && !after->second.empty() && !m.etag.empty() &&
                after->second != m.etag) {
                co_return invalid(r.status, "sync: stale ETag for " + m.href);
            }
        }
    }
    for (const std::string& p : st.pending) {
        if (!reported.contains(p)) {
            co_return invalid(r.status, "sync: change to " + p + " not reported");
        }
    }
    if (exact && reported.size() != st.pending.size()) {
        co_return invalid(r.status, "sync: " + std::to_string(reported.size()) +
                                        " reported, " + std::to_string(st.pending.size()) +
                                        " changed");
    }
    st.token = ms.sync_token;
    st.pending.clear();
    st.etag_after.clear();
    co_return Outcome{r.status, true, {}};
}

asio::awaitable<Outcome> op_get(Client& c, Workload& w, Timing&) {
    const RunOptions& o = w.options();
    if (!o.static_path.empty()) {
        const Reply r = co_await send(c, w, 0, http::verb::get, o.static_path);
        if (r.status != 200) {
            co_return bad_status(r);
        }
        co_return r.body.empty() ? invalid(r.status, "empty body") : Outcome{r.status, true, {}};
    }
    const int user = static_cast<int>(c.rng.below(static_cast<std::uint64_t>(o.users)));
    const int index = static_cast<int>(c.rng.below(static_cast<std::uint64_t>(o.events)));
    const Reply r = co_await send(c, w, user, http::verb::get, Workload::event_href(user, index));
    if (r.status != 200) {
        co_return bad_status(r);
    }
    if (r.body.find("UID:" + w.model().uid(user, index)) == std::string::npos) {
        co_return invalid(r.status, "GET body without the event's UID");
    }
    co_return Outcome{r.status, true, {}};
}

asio::awaitable<Outcome> op_put_new(Client& c, Workload& w, Timing& t) {
    const int user = owned_user(c, w);
    const std::string name = created_name(c, w, "n");
    std::string body = created_body(c, w, name);
    t.restart();
    const Reply r = co_await send(c, w, user, http::verb::put, SeedModel::calendar_path(user) + name,
                                  std::move(body), kCalendarType, header("If-None-Match", "*"));
    co_return r.status == 201 ? Outcome{r.status, true, {}} : bad_status(r);
}

asio::awaitable<void> setup_put_update(Client& c, Workload& w,
                                       std::chrono::steady_clock::time_point until) {
    // A client edits what it has synced, so it holds the ETag already; a GET
    // in the measured loop would make put-update partly a GET benchmark (at
    // 100 x 1,000 events, most edits in a 30 s run were first edits). 256
    // events a connection are enough that edits rarely meet the same row
    // twice in a row, and learned in well under a second.
    constexpr std::size_t kEditable = 256;
    for (std::size_t tries = 0; tries < 4 * kEditable && c.editable.size() < kEditable &&
                                std::chrono::steady_clock::now() < until;
         ++tries) {
        const auto event = owned_event(c, w);
        if (std::find(c.editable.begin(), c.editable.end(), event) != c.editable.end()) {
            continue;
        }
        if (auto failed = co_await ensure_etag(c, w, event.first, event.second)) {
            break;  // the measured run meets and reports the same failure
        }
        c.editable.push_back(event);
    }
}

asio::awaitable<Outcome> op_put_update(Client& c, Workload& w, Timing& t) {
    const auto [user, index] =
        c.editable.empty()
            ? owned_event(c, w)
            : c.editable[c.rng.below(static_cast<std::uint64_t>(c.editable.size()))];
    if (auto failed = co_await ensure_etag(c, w, user, index)) {
        co_return *failed;
    }
    t.restart();  // the GET that learned the ETag is set-up
    co_return co_await edit_event(c, w, user, index);
}

asio::awaitable<void> setup_delete(Client& c, Workload& w,
                                   std::chrono::steady_clock::time_point until) {
    constexpr std::size_t kMaxPerClient = 200000;
    while (std::chrono::steady_clock::now() < until && c.created.size() < kMaxPerClient) {
        const int user = owned_user(c, w);
        const std::string name = created_name(c, w, "d");
        const std::string href = SeedModel::calendar_path(user) + name;
        const Reply r = co_await send(c, w, user, http::verb::put, href, created_body(c, w, name),
                                      kCalendarType, header("If-None-Match", "*"));
        if (r.status != 201) {
            break;  // nothing to delete then; the run reports it
        }
        c.created.push_back(href);
    }
}

asio::awaitable<Outcome> op_delete(Client& c, Workload& w, Timing&) {
    if (c.created.empty()) {
        co_return Outcome{-1, false, {}};  // prefill exhausted: this connection stops
    }
    const std::string href = c.created.back();
    c.created.pop_back();
    // "/calendars/users/user0003/calendar/d-...": the owner is in the path.
    const int owner = std::atoi(href.c_str() + std::string_view("/calendars/users/user").size());
    const Reply r = co_await send(c, w, owner, http::verb::delete_, href);
    co_return r.status == 204 || r.status == 200 ? Outcome{r.status, true, {}} : bad_status(r);
}

asio::awaitable<Outcome> op_propfind_d1(Client& c, Workload& w, Timing&) {
    const int user = static_cast<int>(c.rng.below(static_cast<std::uint64_t>(w.options().users)));
    const Reply r = co_await send(c, w, user, http::verb::propfind, SeedModel::calendar_path(user),
                                  propfind_etags(), kXmlType, header("Depth", "1"));
    if (r.status != 207) {
        co_return bad_status(r);
    }
    const std::string problem = check_listing(parse_multistatus(r.body), w, user);
    co_return problem.empty() ? Outcome{r.status, true, {}} : invalid(r.status, problem);
}

namespace {

// The seed model's answers for every (user, month), computed before the
// measurement: each takes milliseconds (recurrences expanded over a month),
// and the connections share one I/O thread by default, so computing one in
// the measured loop stalled every other connection's reading and put the
// client's time into the server's tail latency. Connection i takes users
// i, i + N, ...; the model's caches are shared.
template <typename Expectation>
asio::awaitable<void> precompute_months(Client& c, Workload& w,
                                        std::chrono::steady_clock::time_point until,
                                        Expectation expectation) {
    const RunOptions& o = w.options();
    for (int user = c.index; user < o.users; user += o.connections) {
        for (int month = 1; month <= 12; ++month) {
            if (std::chrono::steady_clock::now() >= until) {
                co_return;  // what is left is computed, untimed, when first needed
            }
            (w.*expectation)(user, month);
        }
        // Let the other connections' set-up take turns on the thread.
        co_await asio::post(c.http.executor(), asio::use_awaitable);
    }
}

}  // namespace

asio::awaitable<void> setup_query_month(Client& c, Workload& w,
                                        std::chrono::steady_clock::time_point until) {
    co_await precompute_months(c, w, until, &Workload::expected_month);
}

asio::awaitable<void> setup_freebusy_month(Client& c, Workload& w,
                                           std::chrono::steady_clock::time_point until) {
    co_await precompute_months(c, w, until, &Workload::expected_busy);
}

asio::awaitable<Outcome> op_query_month(Client& c, Workload& w, Timing& t) {
    const int user = static_cast<int>(c.rng.below(static_cast<std::uint64_t>(w.options().users)));
    const int month = 1 + static_cast<int>(c.rng.below(12));
    const std::vector<std::string>& expected = w.expected_month(user, month);
    t.restart();  // the first computation of the expectation is not the server's time
    const std::int64_t from = month_start_utc(SeedModel::kYear, month);
    const std::int64_t to = month_start_utc(SeedModel::kYear, month + 1);
    const Reply r = co_await send(c, w, user, http::verb::report, SeedModel::calendar_path(user),
                                  calendar_query(from, to, w.options().with_data), kXmlType,
                                  header("Depth", "1"));
    if (r.status != 207) {
        co_return bad_status(r);
    }
    const Multistatus ms = parse_multistatus(r.body);
    std::vector<std::string> got;
    for (const MsResponse& m : ms.responses) {
        if (w.options().with_data && !m.has_calendar_data) {
            co_return invalid(r.status, "query: no calendar-data for " + m.href);
        }
        got.push_back(m.href);
    }
    std::sort(got.begin(), got.end());
    if (!ms.ok || got != expected) {
        std::vector<std::string> missing, extra;
        std::set_difference(expected.begin(), expected.end(), got.begin(), got.end(),
                            std::back_inserter(missing));
        std::set_difference(got.begin(), got.end(), expected.begin(), expected.end(),
                            std::back_inserter(extra));
        co_return invalid(r.status, "query " + SeedModel::user_name(user) + " month " +
                                        std::to_string(month) + ": expected " +
                                        std::to_string(expected.size()) + ", got " +
                                        std::to_string(got.size()) + "; missing [" +
                                        preview(missing) + "] extra [" + preview(extra) + "]");
    }
    co_return Outcome{r.status, true, {}};
}

asio::awaitable<Outcome> op_multiget_50(Client& c, Workload& w, Timing&) {
    const int user = static_cast<int>(c.rng.below(static_cast<std::uint64_t>(w.options().users)));
    const int n = std::min(50, w.options().events);
    std::set<int> picked;
    while (static_cast<int>(picked.size()) < n) {
        picked.insert(static_cast<int>(c.rng.below(static_cast<std::uint64_t>(w.options().events))));
    }
    std::vector<std::string> hrefs;
    for (int i : picked) {
        hrefs.push_back(Workload::event_href(user, i));
    }
    co_return co_await multiget(c, w, user, hrefs, 50, /*remember=*/false);
}

asio::awaitable<Outcome> op_sync_initial(Client& c, Workload& w, Timing&) {
    const int user = static_cast<int>(c.rng.below(static_cast<std::uint64_t>(w.options().users)));
    const Reply r = co_await send(c, w, user, http::verb::report, SeedModel::calendar_path(user),
                                  sync_collection(""), kXmlType, header("Depth", "0"));
    if (r.status != 207) {
        co_return bad_status(r);
    }
    const Multistatus ms = parse_multistatus(r.body);
    std::string problem = check_listing(ms, w, user);
    if (problem.empty() && ms.sync_token.empty()) {
        problem = "initial sync without sync-token";
    }
    co_return problem.empty() ? Outcome{r.status, true, {}} : invalid(r.status, problem);
}

asio::awaitable<Outcome> op_sync_delta(Client& c, Workload& w, Timing& t) {
    const int user = owned_user(c, w);
    SyncState& st = c.sync[user];
    if (st.token.empty()) {
        std::string ctag;
        const Outcome o = co_await read_ctag(c, w, user, &ctag, &st.token);
        if (!o.ok) {
            co_return o;
        }
        if (st.token.empty()) {
            co_return invalid(o.status, "no DAV:sync-token on the calendar");
        }
    }
    // Distinct events; with a shared user only this connection's share, so
    // no other connection edits them (no 412s, exact ETags in the delta).
    std::set<int> picked;
    const int n = std::min(w.options().changes, w.options().events);
    for (int tries = 0; static_cast<int>(picked.size()) < n && tries < 50 * n; ++tries) {
        picked.insert(owned_index(c, w, user));
    }
    for (int i : picked) {
        const Outcome o = co_await edit_event(c, w, user, i);
        if (!o.ok) {
            co_return o;
        }
    }
    t.restart();  // only the sync-collection is measured
    co_return co_await sync_delta(c, w, user, users_exclusive(w), false, nullptr);
}

asio::awaitable<Outcome> op_freebusy_month(Client& c, Workload& w, Timing& t) {
    const int user = static_cast<int>(c.rng.below(static_cast<std::uint64_t>(w.options().users)));
    const int month = 1 + static_cast<int>(c.rng.below(12));
    const std::vector<Interval>& expected = w.expected_busy(user, month);
    t.restart();
    const std::int64_t from = month_start_utc(SeedModel::kYear, month);
    const std::int64_t to = month_start_utc(SeedModel::kYear, month + 1);
    const Reply r = co_await send(c, w, user, http::verb::report, SeedModel::calendar_path(user),
                                  free_busy_query(from, to), kXmlType, header("Depth", "1"));
    if (r.status != 200) {
        co_return bad_status(r);
    }
    const auto periods = parse_freebusy(r.body);
    if (!periods) {
        co_return invalid(r.status, "free-busy: no VFREEBUSY or bad FREEBUSY value");
    }
    const std::vector<Interval> got = merge_intervals(*periods, from, to);
    if (got != expected) {
        co_return invalid(r.status, "free-busy " + SeedModel::user_name(user) + " month " +
                                        std::to_string(month) + ": " + std::to_string(got.size()) +
                                        " busy periods, expected " +
                                        std::to_string(expected.size()));
    }
    co_return Outcome{r.status, true, {}};
}

}  // namespace cosmo::loadtest::ops
