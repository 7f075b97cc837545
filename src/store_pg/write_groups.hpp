#pragma once
/// Group commit for one-statement writes. Every commit on this machine's
/// disk costs a WAL flush, and every statement PostgreSQL's start-up and
/// a round trip (docs/performance.md, session 16): writes that arrive
/// while others are being written are sent together, as one statement in
/// one transaction, by one of the waiting threads (the leader) on its own
/// connection. Nobody waits for a group to fill: a write that finds a free
/// slot is written at once, as a group of one, so under light load nothing
/// changes; only when `in_flight` groups are already writing do later
/// writes queue, and the next free slot takes all of them (up to
/// `max_group`).
///
/// Two groups never share a lock key (Job::lock_key(), the parent
/// collection for a PUT): a group holds its row locks until it commits, so
/// a second group that needed one of them would only wait for the first,
/// or, with its own locks held meanwhile, hold up others. A queued write
/// whose key is being written waits for the next group; one group may hold
/// a key many times (its writes run in order in one transaction).
///
/// Each write is answered only after its group committed. A group whose
/// statement failed and rolled back (one member's precondition, a deadlock,
/// a timeout) left nothing written, so each member then writes alone and
/// gets its own answer; a group whose outcome is unknown (the connection
/// broke) hands its error to every member, as a lone write would.

#include <algorithm>
#include <cstdint>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace cosmo::store_pg::detail {

/// Job: one write and its result; job.lock_key() (std::int64_t) names what
/// its statement locks for the rest of its transaction.
template <typename Job>
class WriteGroups {
public:
    /// The most writes one group sends (one statement carries them all).
    static constexpr std::size_t kMaxGroup = 16;

    /// in_flight >= 1: groups writing at once; max_group in [1, kMaxGroup].
    WriteGroups(std::size_t in_flight, std::size_t max_group = kMaxGroup)
        : in_flight_(std::max<std::size_t>(in_flight, 1)),
          max_group_(std::clamp<std::size_t>(max_group, 1, kMaxGroup)) {}

    WriteGroups(const WriteGroups&) = delete;
    WriteGroups& operator=(const WriteGroups&) = delete;

    /// Writes job, in a group, and returns once it is written, or throws
    /// what writing it threw.
    ///   write_group(const std::vector<Job*>&): writes one or more jobs (this
    ///     one and other threads') in one transaction and fills in each
    ///     job's result; returns false when that transaction rolled back
    ///     (each member then writes alone), throws when its outcome is
    ///     unknown (every member then throws that). It holds a slot, so it
    ///     should give up early when it has to wait for a lock (each member
    ///     then waits for its own locks alone, holding up nobody else).
    ///   write_alone(): writes job by itself, outside the groups; runs on
    ///     this thread, and its errors are this call's.
    template <typename WriteAlone, typename WriteGroup>
    void write(Job& job, WriteAlone&& write_alone, WriteGroup&& write_group) {
        Member me{&job};
        std::unique_lock lock(mutex_);
        queue_.push_back(&me);
        for (;;) {
            if (me.state == State::kQueued && writing_ < in_flight_ &&
                !busy_keys_.contains(job.lock_key())) {
                lead(me, lock, write_group);
            }
            switch (me.state) {
                case State::kWritten:
                    return;
                case State::kFailed:
                    std::rethrow_exception(me.error);
                case State::kAlone:
                    lock.unlock();
                    write_alone();
                    return;
                case State::kQueued:
                case State::kTaken:
                    me.wakeup.wait(lock);
                    break;
            }
        }
    }

    /// Writes since start that a group wrote, and those groups (tests read
    /// them; nothing reports them yet).
    struct Counts {
        std::size_t grouped_writes = 0;
        std::size_t groups = 0;
    };
    Counts counts() const {
        std::lock_guard lock(mutex_);
        return counts_;
    }
    /// Writes waiting for a group to take them.
    std::size_t queued() const {
        std::lock_guard lock(mutex_);
        return queue_.size();
    }

private:
    enum class State { kQueued, kTaken, kWritten, kAlone, kFailed };
    struct Member {
        explicit Member(Job* j) : job(j) {}
        Job* job;
        State state = State::kQueued;
        std::exception_ptr error;
        /// Its own, so that a group's end wakes its members and the next
        /// leader, not every waiting thread.
        std::condition_variable wakeup;
    };

    /// me leads: takes itself and the oldest queued others, writes them,
    /// and leaves each member's state set. Entered and left with lock held.
    template <typename WriteGroup>
    void lead(Member& me, std::unique_lock<std::mutex>& lock, WriteGroup& write_group) {
        std::vector<Member*> members{&me};
        queue_.erase(std::find(queue_.begin(), queue_.end(), &me));
        for (auto it = queue_.begin(); it != queue_.end() && members.size() < max_group_;) {
            if (busy_keys_.contains((*it)->job->lock_key())) {
                ++it;  // another group holds its locks: the next group takes it
            } else {
                members.push_back(*it);
                it = queue_.erase(it);
            }
        }
        for (Member* m : members) {
            m->state = State::kTaken;
            ++busy_keys_[m->job->lock_key()];
        }
        ++writing_;
        lock.unlock();

        std::vector<Job*> jobs;
        jobs.reserve(members.size());
        for (Member* m : members) jobs.push_back(m->job);
        bool written = false;
        std::exception_ptr error;
        try {
            written = write_group(jobs);
        } catch (...) {
            error = std::current_exception();
        }
        lock.lock();
        for (Member* m : members) {
            m->state = error ? State::kFailed : written ? State::kWritten : State::kAlone;
            m->error = error;
        }
        if (written) {
            counts_.grouped_writes += members.size();
            ++counts_.groups;
        }
        release(members, lock);
    }

    /// Frees the slot and the members' keys, and wakes the members (now
    /// answered) and, for each free slot, a queued write that may lead.
    /// Called with lock.
    void release(const std::vector<Member*>& members, std::unique_lock<std::mutex>& lock) {
        (void)lock;
        for (Member* m : members) {
            const auto it = busy_keys_.find(m->job->lock_key());
            if (--it->second == 0) busy_keys_.erase(it);
            m->wakeup.notify_one();
        }
        --writing_;
        std::size_t free = in_flight_ - writing_;
        for (Member* m : queue_) {
            if (free == 0) break;
            if (!busy_keys_.contains(m->job->lock_key())) {
                m->wakeup.notify_one();
                --free;
            }
        }
    }

    const std::size_t in_flight_;
    const std::size_t max_group_;
    mutable std::mutex mutex_;
    std::deque<Member*> queue_;  ///< waiting to be taken, oldest first
    std::size_t writing_ = 0;    ///< groups in progress
    /// Lock keys of the writes in progress, each with how many it has.
    std::unordered_map<std::int64_t, std::size_t> busy_keys_;
    Counts counts_;
};

}  // namespace cosmo::store_pg::detail
