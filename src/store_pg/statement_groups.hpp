#pragma once
/// Statements of many requests sent as one. Every statement costs
/// PostgreSQL's start-up and a round trip, and every commit on this
/// machine's disk a WAL flush (docs/performance.md, sessions 16 and 17):
/// jobs that arrive while others are running are sent together, as one
/// statement, by one of the waiting threads (the leader) on its own
/// connection. Nobody waits for a group to fill: a job that finds a free
/// slot runs at once, as a group of one, so under light load nothing
/// changes; only when `in_flight` groups are already running do later
/// jobs queue, and the next free slot takes all of them (up to
/// `max_group`). Guessed PUTs (guessed_put.hpp) are committed this way,
/// and read sessions send their first statement (session_opens.hpp) this
/// way.
///
/// Two groups never share a lock key (Job::lock_key(), the parent
/// collection for a PUT): a group holds its row locks until it commits, so
/// a second group that needed one of them would only wait for the first,
/// or, with its own locks held meanwhile, hold up others. A queued job
/// whose key is in a running group waits for the next group; one group may
/// hold a key many times (its writes run in order in one transaction). A
/// job that locks nothing gives a key of its own.
///
/// With run_on_own_thread (the default for one group at a time,
/// group_runners.hpp) no request thread leads: every job queues, and a
/// thread of the groups' own sends each group on a connection of its own,
/// then at once the next. Led by a waiting request, the next group waited
/// for that request's thread to be woken and scheduled (on 2 cores, behind
/// a dozen runnable threads): the statement slot sat idle about four fifths
/// of the time under the GET load (docs/performance.md, session 20).
///
/// Each job is answered only after its group's statement ended (for a
/// write: committed). A group whose statement failed and rolled back (one
/// member's precondition, a deadlock, a timeout) left nothing written, so
/// each member then runs alone and gets its own answer; a group whose
/// outcome is unknown (the connection broke) hands its error to every
/// member, as a lone statement would.

#include <algorithm>
#include <cstdint>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

namespace cosmo::store_pg::detail {

/// Job: one request's statement and its result; job.lock_key()
/// (std::int64_t) names what its statement locks for the rest of its
/// transaction.
template <typename Job>
class StatementGroups {
public:
    /// The most jobs one group sends (one statement carries them all).
    static constexpr std::size_t kMaxGroup = 16;

    /// in_flight >= 1: groups running at once; max_group in [1, kMaxGroup].
    StatementGroups(std::size_t in_flight, std::size_t max_group = kMaxGroup)
        : in_flight_(std::max<std::size_t>(in_flight, 1)),
          max_group_(std::clamp<std::size_t>(max_group, 1, kMaxGroup)) {}

    StatementGroups(const StatementGroups&) = delete;
    StatementGroups& operator=(const StatementGroups&) = delete;

    ~StatementGroups() { stop_runner(); }

    /// Runs every group on a thread of its own: runner(jobs) runs them as
    /// run_group would, on a connection of its own. A request thread then
    /// never leads: it queues its job and sleeps until the group that took
    /// it has ended, and the runner sends the next group as soon as the
    /// last one ended, without waking another thread first.
    using Runner = std::function<bool(const std::vector<Job*>&)>;
    void run_on_own_thread(Runner runner) {
        std::lock_guard lock(mutex_);
        runner_ = std::move(runner);
        runner_thread_ = std::thread([this] { runner_loop(); });
    }

    /// Runs job, in a group, and returns once it ran, or throws what
    /// running it threw.
    ///   run_group(const std::vector<Job*>&): runs one or more jobs (this
    ///     one and other threads') in one statement and fills in each job's
    ///     result; returns false when that statement rolled back (each
    ///     member then runs alone), throws when its outcome is unknown
    ///     (every member then throws that). It holds a slot, so it should
    ///     give up early when it has to wait for a lock (each member then
    ///     waits for its own locks alone, holding up nobody else).
    ///   run_alone(): runs job by itself, outside the groups; runs on this
    ///     thread, and its errors are this call's.
    template <typename RunAlone, typename RunGroup>
    void run(Job& job, RunAlone&& run_alone, RunGroup&& run_group) {
        Member me{&job};
        std::unique_lock lock(mutex_);
        queue_.push_back(&me);
        if (runner_) {
            if (stopping_) {  // the store is going away: no group will take it
                queue_.pop_back();
                lock.unlock();
                run_alone();
                return;
            }
            runner_wakeup_.notify_one();  // no waiter (runner busy): no syscall
        }
        for (;;) {
            if (!runner_ && me.state == State::kQueued && running_ < in_flight_ &&
                !busy_keys_.contains(job.lock_key())) {
                lead(me, lock, run_group);
            }
            switch (me.state) {
                case State::kDone:
                    return;
                case State::kFailed:
                    std::rethrow_exception(me.error);
                case State::kAlone:
                    lock.unlock();
                    run_alone();
                    return;
                case State::kQueued:
                case State::kTaken:
                    me.wakeup.wait(lock);
                    break;
            }
        }
    }

    /// What the groups did since start (tests and /metrics read them).
    struct Counts {
        std::size_t grouped = 0;      ///< jobs that a group's statement ran
        std::size_t groups = 0;       ///< those statements
        std::size_t rolled_back = 0;  ///< groups whose members then ran alone
        std::size_t failed = 0;       ///< groups whose error every member got
    };
    Counts counts() const {
        std::lock_guard lock(mutex_);
        return counts_;
    }
    /// Jobs waiting for a group to take them.
    std::size_t queued() const {
        std::lock_guard lock(mutex_);
        return queue_.size();
    }

private:
    enum class State { kQueued, kTaken, kDone, kAlone, kFailed };
    struct Member {
        explicit Member(Job* j) : job(j) {}
        Job* job;
        State state = State::kQueued;
        std::exception_ptr error;
        /// Its own, so that a group's end wakes its members and the next
        /// leader, not every waiting thread.
        std::condition_variable wakeup;
    };

    /// The runner thread (run_on_own_thread): takes the queued jobs, up to
    /// max_group, runs them, answers them, and goes on while any wait.
    void runner_loop() {
        std::unique_lock lock(mutex_);
        for (;;) {
            if (stopping_) break;
            if (queue_.empty()) {
                runner_wakeup_.wait(lock);
                continue;
            }
            std::vector<Member*> members;
            while (!queue_.empty() && members.size() < max_group_) {
                members.push_back(queue_.front());
                queue_.pop_front();
            }
            for (Member* m : members) m->state = State::kTaken;
            ++running_;
            lock.unlock();
            const Outcome outcome = run_jobs(members, runner_);
            lock.lock();
            record_outcome(members, outcome);
            for (Member* m : members) m->wakeup.notify_one();
            --running_;
        }
        // Stopping: whoever still waits runs alone.
        for (Member* m : queue_) {
            m->state = State::kAlone;
            m->wakeup.notify_one();
        }
        queue_.clear();
    }

    void stop_runner() {
        {
            std::lock_guard lock(mutex_);
            if (!runner_thread_.joinable()) return;
            stopping_ = true;
            runner_wakeup_.notify_one();
        }
        runner_thread_.join();
    }

    /// How a group's statement ended: ran, rolled back (!ran), or failed.
    struct Outcome {
        bool ran = false;
        std::exception_ptr error;
    };

    /// Runs the members' jobs as one group with run (without the mutex).
    template <typename Run>
    static Outcome run_jobs(const std::vector<Member*>& members, Run& run) {
        std::vector<Job*> jobs;
        jobs.reserve(members.size());
        for (Member* m : members) jobs.push_back(m->job);
        Outcome outcome;
        try {
            outcome.ran = run(jobs);
        } catch (...) {
            outcome.error = std::current_exception();
        }
        return outcome;
    }

    /// Sets each member's state from its group's outcome and counts the
    /// group. Called with the mutex held.
    void record_outcome(const std::vector<Member*>& members, const Outcome& outcome) {
        const bool ran = outcome.ran;
        const std::exception_ptr& error = outcome.error;
        for (Member* m : members) {
            m->state = error ? State::kFailed : ran ? State::kDone : State::kAlone;
            m->error = error;
        }
        if (error) {
            ++counts_.failed;
        } else if (ran) {
            counts_.grouped += members.size();
            ++counts_.groups;
        } else {
            ++counts_.rolled_back;
        }
    }

    /// me leads: takes itself and the oldest queued others, runs them, and
    /// leaves each member's state set. Entered and left with lock held.
    template <typename RunGroup>
    void lead(Member& me, std::unique_lock<std::mutex>& lock, RunGroup& run_group) {
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
        ++running_;
        lock.unlock();
        const Outcome outcome = run_jobs(members, run_group);
        lock.lock();
        record_outcome(members, outcome);
        release(members, lock);
    }

    /// Frees the slot and the members' keys, and wakes the members (now
    /// answered) and, for each free slot, a queued job that may lead.
    /// Called with lock.
    void release(const std::vector<Member*>& members, std::unique_lock<std::mutex>& lock) {
        (void)lock;
        for (Member* m : members) {
            const auto it = busy_keys_.find(m->job->lock_key());
            if (--it->second == 0) busy_keys_.erase(it);
            m->wakeup.notify_one();
        }
        --running_;
        std::size_t free = in_flight_ - running_;
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
    std::size_t running_ = 0;    ///< groups in progress
    /// Lock keys of the jobs in progress, each with how many it has.
    std::unordered_map<std::int64_t, std::size_t> busy_keys_;
    Counts counts_;
    Runner runner_;                       ///< set: groups run on runner_thread_
    std::thread runner_thread_;
    std::condition_variable runner_wakeup_;
    bool stopping_ = false;
};

}  // namespace cosmo::store_pg::detail
