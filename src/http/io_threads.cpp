#include "cosmo/http/io_threads.hpp"

#include <algorithm>
#include <atomic>
#include <optional>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

namespace cosmo::http {

namespace asio = boost::asio;

struct IoThreads::Loop {
    // Concurrency hint 1: one thread runs it, so the scheduler never wakes
    // another; other threads may still post to it (an offloaded handler's
    // resumption), which wakes its epoll.
    asio::io_context io{1};
    std::optional<asio::executor_work_guard<asio::io_context::executor_type>> keep_running{
        asio::make_work_guard(io)};
    /// Shared with the leases, which outlive the loop when a connection
    /// is destroyed after it (pending at shutdown).
    std::shared_ptr<std::atomic<std::size_t>> connections =
        std::make_shared<std::atomic<std::size_t>>(0);
    std::thread thread;
};

IoThreads::IoThreads(std::size_t count) {
    loops_.reserve(std::max<std::size_t>(count, 1));
    for (std::size_t i = 0; i < std::max<std::size_t>(count, 1); ++i) {
        loops_.push_back(std::make_unique<Loop>());
    }
}

IoThreads::~IoThreads() {
    stop();
    join();
}

IoThreads::Placement IoThreads::place() {
    std::lock_guard lock(mutex_);
    std::size_t best = next_;
    for (std::size_t k = 1; k < loops_.size(); ++k) {
        const std::size_t i = (next_ + k) % loops_.size();
        if (*loops_[i]->connections < *loops_[best]->connections) best = i;
    }
    next_ = (best + 1) % loops_.size();
    Loop& loop = *loops_[best];
    ++*loop.connections;
    // A lease that owns nothing: its deleter runs when the connection's
    // last copy goes, and gives the place back.
    std::shared_ptr<void> lease(nullptr, [count = loop.connections](void*) { --*count; });
    return {loop.io.get_executor(), std::move(lease)};
}

void IoThreads::start() {
    for (auto& loop : loops_) {
        if (!loop->thread.joinable()) {
            loop->thread = std::thread([l = loop.get()] { l->io.run(); });
        }
    }
}

void IoThreads::stop() {
    for (auto& loop : loops_) {
        loop->keep_running.reset();
        loop->io.stop();
    }
}

void IoThreads::join() {
    for (auto& loop : loops_) {
        if (loop->thread.joinable()) loop->thread.join();
    }
}

std::vector<std::size_t> IoThreads::connections() const {
    std::vector<std::size_t> out;
    out.reserve(loops_.size());
    for (const auto& loop : loops_) out.push_back(*loop->connections);
    return out;
}

}  // namespace cosmo::http
