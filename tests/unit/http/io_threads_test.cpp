// I/O threads with a loop each: where connections are placed, and that
// each loop runs on a thread of its own.
#include "cosmo/http/io_threads.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <set>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

using namespace cosmo;
namespace asio = boost::asio;

namespace {

const void* loop_of(const http::IoThreads::Placement& p) {
    return &asio::query(p.executor, asio::execution::context);
}

std::thread::id thread_of(const http::IoThreads::Placement& p) {
    std::promise<std::thread::id> ran;
    asio::post(p.executor, [&ran] { ran.set_value(std::this_thread::get_id()); });
    auto got = ran.get_future();
    EXPECT_EQ(got.wait_for(std::chrono::seconds(5)), std::future_status::ready);
    return got.get();
}

}  // namespace

TEST(IoThreads, ConnectionsGoToTheLoopWithTheFewest) {
    http::IoThreads threads(3);
    auto a = threads.place();
    auto b = threads.place();
    auto c = threads.place();
    EXPECT_EQ((std::set<const void*>{loop_of(a), loop_of(b), loop_of(c)}).size(), 3u);
    EXPECT_EQ(threads.connections(), (std::vector<std::size_t>{1, 1, 1}));

    // b's connection closes: its loop is the one with the fewest again.
    const void* freed = loop_of(b);
    b = {};
    EXPECT_EQ(loop_of(threads.place()), freed);  // that lease is dropped at once
    auto d = threads.place();
    EXPECT_EQ(loop_of(d), freed);
    // Everyone has one: the next goes round, not always to the first loop.
    auto e = threads.place();
    EXPECT_NE(loop_of(e), freed);
    const auto counts = threads.connections();
    EXPECT_EQ(counts[0] + counts[1] + counts[2], 4u);
}

TEST(IoThreads, EachLoopRunsOnAThreadOfItsOwnUntilStopped) {
    http::IoThreads threads(2);
    auto a = threads.place();
    auto b = threads.place();
    threads.start();
    const auto ta = thread_of(a);
    const auto tb = thread_of(b);
    EXPECT_NE(ta, tb);
    EXPECT_NE(ta, std::this_thread::get_id());
    EXPECT_EQ(thread_of(a), ta);  // a connection stays on its thread
    threads.stop();
    threads.join();
}

TEST(IoThreads, ALeaseMayOutliveTheThreads) {
    std::shared_ptr<void> lease;
    {
        http::IoThreads threads(1);
        threads.start();
        lease = threads.place().lease;
    }
    lease.reset();  // gives back its place in a loop that is gone: no crash
    SUCCEED();
}
