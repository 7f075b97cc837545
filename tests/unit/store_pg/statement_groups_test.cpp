// StatementGroups (src/store_pg/statement_groups.hpp), without a database: who
// writes alone, who is grouped with whom, and what each member is told when
// its group rolled back or failed. The slot is held busy by a group of one
// that waits for the test; the test waits until the others are queued.

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <future>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "../../../src/store_pg/statement_groups.hpp"

namespace cosmo::test {
namespace {

struct Job {
    Job(std::int64_t k) : key(k) {}  // NOLINT: {1}, {2} in the tests
    std::int64_t key = 0;
    std::string written_by;  ///< "alone" or "group"
    std::int64_t lock_key() const { return key; }
};

using Groups = store_pg::detail::StatementGroups<Job>;

/// Waits until groups has n writes queued (a test failure after 10 s).
void wait_until_queued(const Groups& groups, std::size_t n) {
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (groups.queued() < n) {
        ASSERT_LT(std::chrono::steady_clock::now(), give_up) << groups.queued() << " queued";
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
}

/// What the group writes did, seen from all threads.
struct Recorder {
    std::mutex mutex;
    std::vector<std::set<std::int64_t>> groups;  ///< the keys of each group written
    std::atomic<int> alone{0};
};

/// Writes job through groups: alone marks it, a group marks all members
/// and records their keys; `group_result` decides the group's outcome.
void write(Groups& groups, Job& job, Recorder& rec, const std::function<bool()>& group_result) {
    groups.run(
        job,
        [&] {
            ++rec.alone;
            job.written_by = "alone";
        },
        [&](const std::vector<Job*>& jobs) {
            std::set<std::int64_t> keys;
            for (const Job* j : jobs) keys.insert(j->key);
            {
                std::lock_guard lock(rec.mutex);
                rec.groups.push_back(keys);
            }
            const bool written = group_result();
            if (written) {
                for (Job* j : jobs) j->written_by = "group";
            }
            return written;
        });
}

/// A group of job alone that holds its slot until `release` is set; returns
/// once it holds the slot.
std::thread busy_writer(Groups& groups, Job& job, std::shared_future<void> release) {
    std::promise<void> holding;
    std::future<void> held = holding.get_future();
    std::thread writer([&groups, &job, release, holding = std::move(holding)]() mutable {
        groups.run(
            job,
            [] { throw std::logic_error("not alone"); },
            [&](const std::vector<Job*>& jobs) {
                holding.set_value();
                release.wait();
                for (Job* j : jobs) j->written_by = "group";
                return true;
            });
    });
    held.wait();
    return writer;
}

/// Holds the only slot with a group of key 1, starts a thread per job that
/// runs write_job(job), waits until all of them are queued, then frees the
/// slot and waits for every thread. Returns the holder's job.
Job queue_behind_a_busy_slot(Groups& groups, std::vector<Job>& jobs,
                             const std::function<void(Job&)>& write_job) {
    std::promise<void> release;
    Job first{1};
    std::thread holder = busy_writer(groups, first, release.get_future().share());
    std::vector<std::thread> threads;
    for (Job& job : jobs) {
        threads.emplace_back([&] { write_job(job); });
    }
    wait_until_queued(groups, jobs.size());
    release.set_value();
    holder.join();
    for (std::thread& t : threads) t.join();
    return first;
}

TEST(StatementGroups, AWriteThatFindsAFreeSlotIsWrittenAtOnceAsAGroupOfOne) {
    Groups groups(1);
    Recorder rec;
    Job job{7};
    write(groups, job, rec, [] { return true; });
    EXPECT_EQ(job.written_by, "group");
    ASSERT_EQ(rec.groups.size(), 1u);
    EXPECT_EQ(rec.groups[0], std::set<std::int64_t>{7});
    EXPECT_EQ(groups.counts().groups, 1u);
    EXPECT_EQ(rec.alone, 0);
}

TEST(StatementGroups, WritesArrivingWhileTheSlotIsBusyAreWrittenAsOneGroup) {
    Groups groups(1);
    Recorder rec;
    std::vector<Job> jobs{{2}, {3}, {3}, {4}};
    const Job first = queue_behind_a_busy_slot(
        groups, jobs, [&](Job& job) { write(groups, job, rec, [] { return true; }); });

    ASSERT_EQ(rec.groups.size(), 1u);
    EXPECT_EQ(rec.groups[0], (std::set<std::int64_t>{2, 3, 4}));
    for (const Job& job : jobs) EXPECT_EQ(job.written_by, "group") << job.key;
    EXPECT_EQ(first.written_by, "group");
    EXPECT_EQ(groups.counts().groups, 2u);  // the first, then the four
    EXPECT_EQ(groups.counts().grouped, 5u);
    EXPECT_EQ(rec.alone, 0);
}

TEST(StatementGroups, WhenAGroupRolledBackEachMemberWritesAlone) {
    Groups groups(1);
    Recorder rec;
    std::vector<Job> jobs{{2}, {3}, {4}};
    queue_behind_a_busy_slot(
        groups, jobs, [&](Job& job) { write(groups, job, rec, [] { return false; }); });

    EXPECT_EQ(rec.groups.size(), 1u);
    EXPECT_EQ(rec.alone, 3);
    for (const Job& job : jobs) EXPECT_EQ(job.written_by, "alone") << job.key;
    EXPECT_EQ(groups.counts().groups, 1u);  // only the first was written
    EXPECT_EQ(groups.counts().rolled_back, 1u);
    EXPECT_EQ(groups.counts().failed, 0u);
}

TEST(StatementGroups, WhenAGroupsOutcomeIsUnknownEveryMemberThrowsItsError) {
    Groups groups(1);
    Recorder rec;
    std::vector<Job> jobs{{2}, {3}, {4}};
    std::atomic<int> thrown{0};
    queue_behind_a_busy_slot(groups, jobs, [&](Job& job) {
        try {
            write(groups, job, rec, []() -> bool { throw std::runtime_error("connection lost"); });
        } catch (const std::runtime_error& e) {
            if (std::string(e.what()) == "connection lost") ++thrown;
        }
    });

    EXPECT_EQ(thrown, 3);
    EXPECT_EQ(rec.alone, 0);
    EXPECT_EQ(groups.counts().failed, 1u);
    EXPECT_EQ(groups.counts().rolled_back, 0u);
    // The slot is free again: the next write goes at once.
    Job next{5};
    write(groups, next, rec, [] { return true; });
    EXPECT_EQ(next.written_by, "group");
}

TEST(StatementGroups, AGroupTakesNoKeyThatAnotherGroupIsWriting) {
    Groups groups(2);
    Recorder rec;
    std::promise<void> release;
    Job first{1};
    std::thread holder = busy_writer(groups, first, release.get_future().share());
    // Key 1 is being written: a write of it waits although a slot is free.
    Job same_key{1};
    std::thread waiting([&] { write(groups, same_key, rec, [] { return true; }); });
    wait_until_queued(groups, 1);
    // Key 2 takes the free slot at once and leaves key 1 queued.
    Job other{2};
    write(groups, other, rec, [] { return true; });
    EXPECT_EQ(other.written_by, "group");
    EXPECT_EQ(same_key.written_by, "");
    EXPECT_EQ(groups.queued(), 1u);
    release.set_value();
    holder.join();
    waiting.join();
    EXPECT_EQ(same_key.written_by, "group");
    EXPECT_EQ(rec.groups, (std::vector<std::set<std::int64_t>>{{2}, {1}}));
}

TEST(StatementGroups, AGroupHoldsAtMostMaxGroupWrites) {
    Groups groups(1, 3);
    Recorder rec;
    std::vector<Job> jobs{{2}, {3}, {4}, {5}, {6}};
    queue_behind_a_busy_slot(
        groups, jobs, [&](Job& job) { write(groups, job, rec, [] { return true; }); });

    std::size_t written = 0;
    for (const auto& keys : rec.groups) {
        EXPECT_LE(keys.size(), 3u);
        written += keys.size();
    }
    EXPECT_EQ(written, jobs.size());
    EXPECT_EQ(rec.alone, 0);
    EXPECT_GE(rec.groups.size(), 2u);
}

// --- groups on a thread of their own (run_on_own_thread) --------------------

/// A runner that records each group's keys, holds its first group until
/// `release` is set, and answers every group with `outcome` (true: ran,
/// false: rolled back; throws to fail it).
struct HeldRunner {
    HeldRunner(Recorder& r, std::shared_future<void> rel, std::function<bool()> out)
        : rec(r), release(std::move(rel)), outcome(std::move(out)) {}
    Recorder& rec;
    std::shared_future<void> release;
    std::function<bool()> outcome;
    std::atomic<int> groups_run{0};
    std::promise<void> first_taken;

    bool operator()(const std::vector<Job*>& jobs) {
        {
            std::set<std::int64_t> keys;
            for (const Job* j : jobs) keys.insert(j->key);
            std::lock_guard lock(rec.mutex);
            rec.groups.push_back(keys);
        }
        if (groups_run++ == 0) {
            first_taken.set_value();
            release.wait();
        }
        const bool ran = outcome();
        if (ran) {
            for (Job* j : jobs) j->written_by = "runner";
        }
        return ran;
    }
};

/// Runs `first` then `jobs` through groups whose runner is held on the
/// first group until all of `jobs` are queued; each thread's own group
/// function must never run.
void queue_behind_a_busy_runner(Groups& groups, HeldRunner& runner, Job& first,
                                std::vector<Job>& jobs, std::promise<void>& release,
                                const std::function<void(Job&)>& write_job) {
    std::future<void> taken = runner.first_taken.get_future();
    std::thread first_thread([&] { write_job(first); });
    taken.wait();
    std::vector<std::thread> threads;
    for (Job& job : jobs) threads.emplace_back([&] { write_job(job); });
    wait_until_queued(groups, jobs.size());
    release.set_value();
    first_thread.join();
    for (std::thread& t : threads) t.join();
}

/// write() whose own group function fails the test if it runs.
void write_via_runner(Groups& groups, Job& job, Recorder& rec) {
    groups.run(
        job,
        [&] {
            ++rec.alone;
            job.written_by = "alone";
        },
        [&](const std::vector<Job*>&) -> bool {
            ADD_FAILURE() << "a request thread led a group";
            return false;
        });
}

TEST(StatementGroups, WithARunnerEveryGroupIsSentByTheRunnerAndQueuedJobsGoTogether) {
    Groups groups(1);
    Recorder rec;
    std::promise<void> release;
    auto runner = std::make_shared<HeldRunner>(rec, release.get_future().share(), [] { return true; });
    groups.run_on_own_thread([runner](const std::vector<Job*>& jobs) { return (*runner)(jobs); });
    Job first{1};
    std::vector<Job> jobs{{2}, {3}, {3}, {4}};
    queue_behind_a_busy_runner(groups, *runner, first, jobs, release,
                               [&](Job& job) { write_via_runner(groups, job, rec); });

    EXPECT_EQ(rec.groups, (std::vector<std::set<std::int64_t>>{{1}, {2, 3, 4}}));
    EXPECT_EQ(first.written_by, "runner");
    for (const Job& job : jobs) EXPECT_EQ(job.written_by, "runner") << job.key;
    EXPECT_EQ(groups.counts().groups, 2u);
    EXPECT_EQ(groups.counts().grouped, 5u);
    EXPECT_EQ(rec.alone, 0);
}

TEST(StatementGroups, WithARunnerAGroupThatRolledBackHasEachMemberWriteAlone) {
    Groups groups(1);
    Recorder rec;
    std::promise<void> release;
    auto runner = std::make_shared<HeldRunner>(rec, release.get_future().share(), [] { return false; });
    groups.run_on_own_thread([runner](const std::vector<Job*>& jobs) { return (*runner)(jobs); });
    Job first{1};
    std::vector<Job> jobs{{2}, {3}};
    queue_behind_a_busy_runner(groups, *runner, first, jobs, release,
                               [&](Job& job) { write_via_runner(groups, job, rec); });

    EXPECT_EQ(rec.alone, 3);
    EXPECT_EQ(first.written_by, "alone");
    for (const Job& job : jobs) EXPECT_EQ(job.written_by, "alone") << job.key;
    EXPECT_EQ(groups.counts().rolled_back, 2u);
}

TEST(StatementGroups, WithARunnerAGroupsErrorReachesEveryMemberAndTheRunnerGoesOn) {
    Groups groups(1);
    Recorder rec;
    std::promise<void> release;
    std::atomic<bool> broken{true};
    auto runner = std::make_shared<HeldRunner>(
        rec, release.get_future().share(), [&]() -> bool {
            if (broken) throw std::runtime_error("connection lost");
            return true;
        });
    groups.run_on_own_thread([runner](const std::vector<Job*>& jobs) { return (*runner)(jobs); });
    Job first{1};
    std::vector<Job> jobs{{2}, {3}};
    std::atomic<int> thrown{0};
    queue_behind_a_busy_runner(groups, *runner, first, jobs, release, [&](Job& job) {
        try {
            write_via_runner(groups, job, rec);
        } catch (const std::runtime_error& e) {
            if (std::string(e.what()) == "connection lost") ++thrown;
        }
    });
    EXPECT_EQ(thrown, 3);
    EXPECT_EQ(groups.counts().failed, 2u);

    broken = false;
    Job next{5};
    write_via_runner(groups, next, rec);
    EXPECT_EQ(next.written_by, "runner");
}

TEST(StatementGroups, GroupsWithAnIdleRunnerStopAtOnce) {
    Recorder rec;
    const auto started = std::chrono::steady_clock::now();
    {
        Groups groups(1);
        groups.run_on_own_thread([](const std::vector<Job*>&) { return true; });
        Job job{1};
        write_via_runner(groups, job, rec);
    }
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
}

}  // namespace
}  // namespace cosmo::test
