// The socket watchdog (watchdog.hpp): one background thread sleeping until
// the earliest deadline, then shutdown(2) of the sockets whose time is up.
//
// Arming is on every store call, so it must not wake the thread: a
// notify per call cost a futex wake-up and two context switches of the
// watchdog thread per SQL statement (on a 2-core VM, where a switch is
// dear, a visible share of a GET). While any deadline is armed the thread
// wakes at least every kMaxSleep instead, and a new deadline wakes it only
// when it falls before the thread's next wake-up (a timeout shorter than
// kMaxSleep). A server with no calls in flight sleeps without a timeout.

#include "watchdog.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <thread>

namespace cosmo::store_pg::detail {

namespace {

using Clock = std::chrono::steady_clock;

/// The longest sleep while deadlines are armed (see the top of the file).
constexpr auto kMaxSleep = std::chrono::milliseconds(500);

class Watchdog {
public:
    /// Leaked on purpose: guards may run during static destruction.
    static Watchdog& instance() {
        static Watchdog* w = new Watchdog();
        return *w;
    }

    std::uint64_t arm(int socket, Clock::time_point deadline) {
        std::lock_guard lock(mutex_);
        const std::uint64_t ticket = ++next_;
        entries_[ticket] = Entry{socket, deadline};
        by_deadline_.insert({deadline, ticket});
        if (!thread_started_) {
            thread_started_ = true;
            std::thread([this] { loop(); }).detach();
        }
        if (deadline < wakes_at_) {
            wakes_at_ = deadline;  // no second notify for the next ones
            wake_.notify_one();
        }
        return ticket;
    }

    /// Removes the ticket; the socket is never touched after this returns.
    void disarm(std::uint64_t ticket) {
        std::lock_guard lock(mutex_);
        auto it = entries_.find(ticket);
        if (it != entries_.end()) {
            by_deadline_.erase({it->second.deadline, ticket});
            entries_.erase(it);
        }
        fired_.erase(ticket);
    }

    bool fired(std::uint64_t ticket) {
        std::lock_guard lock(mutex_);
        return fired_.count(ticket) != 0;
    }

private:
    struct Entry {
        int socket;
        Clock::time_point deadline;
    };

    void loop() {
        std::unique_lock lock(mutex_);
        for (;;) {
            if (by_deadline_.empty()) {
                wakes_at_ = Clock::time_point::max();
                wake_.wait(lock);
                continue;
            }
            const auto [deadline, ticket] = *by_deadline_.begin();
            const auto now = Clock::now();
            if (now < deadline) {
                wakes_at_ = std::min(deadline, now + kMaxSleep);
                wake_.wait_until(lock, wakes_at_);
                continue;
            }
            by_deadline_.erase(by_deadline_.begin());
            auto it = entries_.find(ticket);
            if (it != entries_.end()) {
                // Under the mutex: disarm() cannot return (and the owner
                // cannot close the fd) while we shut it down.
                ::shutdown(it->second.socket, SHUT_RDWR);
                entries_.erase(it);
                fired_.insert(ticket);
            }
        }
    }

    std::mutex mutex_;
    std::condition_variable wake_;
    std::map<std::uint64_t, Entry> entries_;
    std::set<std::pair<Clock::time_point, std::uint64_t>> by_deadline_;
    std::set<std::uint64_t> fired_;
    std::uint64_t next_ = 0;
    bool thread_started_ = false;
    /// When the thread wakes next on its own (max: not before a notify).
    Clock::time_point wakes_at_ = Clock::time_point::max();
};

}  // namespace

WatchdogGuard::WatchdogGuard(int socket, std::chrono::milliseconds timeout) {
    if (timeout.count() > 0 && socket >= 0) {
        ticket_ = Watchdog::instance().arm(socket, Clock::now() + timeout);
    }
}

WatchdogGuard::~WatchdogGuard() {
    if (ticket_ != 0) {
        Watchdog::instance().disarm(ticket_);
    }
}

bool WatchdogGuard::fired() const { return ticket_ != 0 && Watchdog::instance().fired(ticket_); }

}  // namespace cosmo::store_pg::detail
