// Client poll cycles, after how the clients behave (CLIENTS.md): each cycle
// checks whether the calendar changed, syncs, fetches what changed, and
// sometimes edits an event. The cycle is the measured unit; think time
// (closed loop) is added by the runner between cycles.

#include "multistatus.hpp"
#include "ops.hpp"
#include "requests.hpp"

namespace cosmo::loadtest::ops {

namespace {

enum class Style { kApple, kDavx5, kThunderbird };

// Users this client polls in turn (its own users, or a shared one).
int next_user(Client& c, const Workload& w) {
    const int n = w.options().connections;
    const int users = w.options().users;
    if (users < n) {
        return c.index % users;
    }
    const int mine = (users - 1 - c.index) / n + 1;
    const int user = c.index + n * (c.next_user_slot % mine);
    ++c.next_user_slot;
    return user;
}

asio::awaitable<Outcome> cycle(Client& c, Workload& w, Timing& t, Style style) {
    const int user = next_user(c, w);
    const std::string calendar = SeedModel::calendar_path(user);
    SyncState& st = c.sync[user];
    if (st.token.empty()) {
        // A client that already did its initial sync: start from the current token.
        const Outcome o = co_await read_ctag(c, w, user, &st.ctag, &st.token);
        if (!o.ok) {
            co_return o;
        }
        if (st.token.empty()) {
            co_return invalid(o.status, "no DAV:sync-token on the calendar");
        }
        t.restart();
    }

    // 1. Did anything change?
    std::string ctag, token;
    Outcome o{};
    if (style == Style::kApple) {
        const Reply r = co_await send(c, w, user, http::verb::propfind, SeedModel::home_path(user),
                                      propfind_home_apple(), "application/xml; charset=utf-8",
                                      header("Depth", "1"));
        if (r.status != 207) {
            co_return bad_status(r);
        }
        const Multistatus ms = parse_multistatus(r.body);
        bool found = false;
        for (const MsResponse& m : ms.responses) {
            if (m.href == calendar) {
                ctag = m.ctag;
                token = m.sync_token;
                found = true;
            }
        }
        if (!found) {
            co_return invalid(r.status, "home PROPFIND does not list " + calendar);
        }
        o = Outcome{r.status, true, {}};
    } else {
        o = co_await read_ctag(c, w, user, &ctag, &token);
        if (!o.ok) {
            co_return o;
        }
    }
    const bool changed = style == Style::kThunderbird
                             ? (ctag.empty() || ctag != st.ctag)
                             : (token.empty() || token != st.token);
    if (!changed && !st.pending.empty()) {
        co_return invalid(o.status, "our edit did not change the " +
                                        std::string(style == Style::kThunderbird ? "ctag" : "token"));
    }

    // 2. What changed, and 3. fetch it.
    if (changed) {
        std::vector<std::string> hrefs;
        o = co_await sync_delta(c, w, user, false, style == Style::kThunderbird, &hrefs);
        if (!o.ok) {
            co_return o;
        }
        st.ctag = ctag;
        if (!hrefs.empty()) {
            o = co_await multiget(c, w, user, hrefs, style == Style::kDavx5 ? 10 : 50);
            if (!o.ok) {
                co_return o;
            }
        }
    }

    // 4. Sometimes the user edits an event.
    if (c.rng.unit() < w.options().edit_prob) {
        o = co_await edit_event(c, w, user, owned_index(c, w, user));
    }
    co_return o;
}

}  // namespace

asio::awaitable<Outcome> op_profile_apple(Client& c, Workload& w, Timing& t) {
    co_return co_await cycle(c, w, t, Style::kApple);
}

asio::awaitable<Outcome> op_profile_davx5(Client& c, Workload& w, Timing& t) {
    co_return co_await cycle(c, w, t, Style::kDavx5);
}

asio::awaitable<Outcome> op_profile_thunderbird(Client& c, Workload& w, Timing& t) {
    co_return co_await cycle(c, w, t, Style::kThunderbird);
}

}  // namespace cosmo::loadtest::ops
