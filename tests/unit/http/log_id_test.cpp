// core::log_id, the request id of every response (server.cpp): 16 hex
// digits, and no repeats within or across threads.

#include <gtest/gtest.h>

#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "cosmo/core/random.hpp"

namespace {

TEST(LogId, SixteenHexDigits) {
    const std::string id = cosmo::core::log_id();
    ASSERT_EQ(id.size(), 16u);
    EXPECT_EQ(id.find_first_not_of("0123456789abcdef"), std::string::npos) << id;
}

TEST(LogId, NoRepeatsAcrossThreads) {
    std::mutex mutex;
    std::set<std::string> seen;
    std::vector<std::thread> threads;
    constexpr int kThreads = 4;
    constexpr int kEach = 20000;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&] {
            std::vector<std::string> mine;
            for (int i = 0; i < kEach; ++i) mine.push_back(cosmo::core::log_id());
            std::lock_guard lock(mutex);
            seen.insert(mine.begin(), mine.end());
        });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(seen.size(), static_cast<std::size_t>(kThreads * kEach));
}

}  // namespace
