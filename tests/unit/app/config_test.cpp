/// Configuration keys that carry protocol decisions (docs/operations.md).

#include <gtest/gtest.h>

#include <algorithm>
#include <stdexcept>
#include <thread>

#include "cosmo/app/config.hpp"

namespace cosmo::test {
namespace {

/// load_config() with flags only (no file).
app::Config load(const std::vector<std::string>& args) {
    const boost::program_options::options_description none;
    return app::load_config(args, none, nullptr);
}

// RFC 6578 change-log retention by time (CLIENTS.md §1.2): 60 days by
// default, settable, never below 7.
TEST(Config, SyncRetentionDays) {
    EXPECT_EQ(load({}).sync_retention_days, 60);
    EXPECT_EQ(load({"--sync-retention-days=30"}).sync_retention_days, 30);
    EXPECT_EQ(load({"--sync-retention-days=7"}).sync_retention_days, 7);
    EXPECT_THROW(load({"--sync-retention-days=6"}), std::runtime_error);
}

// io-threads 0 (the default) becomes four per core; a number is kept.
TEST(Config, IoThreadsDefaultToSixPerCore) {
    const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    EXPECT_EQ(load({}).io_threads, 6 * cores);
    EXPECT_EQ(load({"--io-threads=0"}).io_threads, 6 * cores);
    EXPECT_EQ(load({"--io-threads=3"}).io_threads, 3);
    EXPECT_THROW(load({"--io-threads=-1"}), std::runtime_error);
}

// A request in flight holds at most one connection per database: the
// default pool has one for each I/O thread, one for each PUT thread (PUTs
// run there with inline handlers) and one for each of the two threads of
// the shared loop (admin requests), and never fewer than 16.
TEST(Config, DbPoolSizeDefaultsToTheRequestsInFlight) {
    EXPECT_EQ(load({"--io-threads=40"}).db_pool_size, 58u);
    EXPECT_EQ(load({"--io-threads=40", "--io-per-thread=false"}).db_pool_size, 56u);
    EXPECT_EQ(load({"--io-threads=40", "--put-threads=0"}).db_pool_size, 42u);
    EXPECT_EQ(load({"--io-threads=4", "--put-threads=4"}).db_pool_size, 16u);
    EXPECT_EQ(load({"--io-threads=40", "--inline-handlers=false"}).db_pool_size, 40u);
    EXPECT_EQ(load({"--io-threads=40", "--db-pool-size=8"}).db_pool_size, 8u);
}

TEST(Config, PutThreads) {
    EXPECT_EQ(load({}).put_threads, 16);
    EXPECT_EQ(load({"--put-threads=0"}).put_threads, 0);
    EXPECT_THROW(load({"--put-threads=-1"}), std::runtime_error);
}

TEST(Config, DbAcquireTimeout) {
    EXPECT_EQ(load({}).db_acquire_timeout_ms, 5000);
    EXPECT_EQ(load({"--db-acquire-timeout-ms=250"}).db_acquire_timeout_ms, 250);
    EXPECT_EQ(load({"--db-acquire-timeout-ms=0"}).db_acquire_timeout_ms, 0);  // 503 at once
    EXPECT_THROW(load({"--db-acquire-timeout-ms=-1"}), std::runtime_error);
}

TEST(Config, WriteGroups) {
    EXPECT_EQ(load({}).write_groups, 1u);
    EXPECT_EQ(load({"--write-groups=0"}).write_groups, 0u);
    EXPECT_EQ(load({"--write-groups=3"}).write_groups, 3u);
}

TEST(Config, GroupThreads) {
    EXPECT_TRUE(load({}).group_threads);
    EXPECT_FALSE(load({"--group-threads=false"}).group_threads);
}

TEST(Config, ReadGroups) {
    EXPECT_EQ(load({}).read_groups, 1u);
    EXPECT_EQ(load({"--read-groups=0"}).read_groups, 0u);
    EXPECT_EQ(load({"--read-groups=2"}).read_groups, 2u);
}

// DESIGN.md, bad input: the CalDAV limits are config keys.
TEST(Config, CaldavLimits) {
    const app::Config c = load({"--max-instances=50", "--max-report-results=20"});
    EXPECT_EQ(c.max_instances, 50u);
    EXPECT_EQ(c.max_report_results, 20u);
    EXPECT_EQ(load({}).max_report_results, 10000u);
    EXPECT_THROW(load({"--max-report-results=0"}), std::runtime_error);
}

}  // namespace
}  // namespace cosmo::test

namespace cosmo::test {
namespace {

// config/cosmo.conf documents every key: it must load (an unknown key is a
// start-up error) and state the same defaults as the code.
TEST(Config, ShippedExampleLoadsWithTheDefaults) {
    const app::Config file = load({std::string("--config=") + COSMO_SOURCE_DIR +
                                   "/config/cosmo.conf"});
    const app::Config defaults = load({});
    EXPECT_EQ(file.listen, defaults.listen);
    EXPECT_EQ(file.admin_listen, defaults.admin_listen);
    EXPECT_EQ(file.body_limit, defaults.body_limit);
    EXPECT_EQ(file.max_resource_size, defaults.max_resource_size);
    EXPECT_EQ(file.auth_cache_ttl, defaults.auth_cache_ttl);
    EXPECT_EQ(file.auth_verified_lifetime, defaults.auth_verified_lifetime);
    EXPECT_EQ(file.sync_retention_days, defaults.sync_retention_days);
    EXPECT_EQ(file.data_dir, defaults.data_dir);
    EXPECT_EQ(file.io_threads, defaults.io_threads);
    EXPECT_EQ(file.db_pool_size, defaults.db_pool_size);
    EXPECT_EQ(file.write_groups, defaults.write_groups);
    EXPECT_EQ(file.read_groups, defaults.read_groups);
    EXPECT_TRUE(file.embedded());
}

TEST(Config, UnknownKeysAreErrors) {
    EXPECT_THROW(load({"--no-such-key=1"}), std::runtime_error);
}

TEST(Config, EnvironmentSetsKeysAndFlagsWin) {
    ::setenv("COSMO_BODY_LIMIT", "1234", 1);
    EXPECT_EQ(load({}).body_limit, 1234u);
    EXPECT_EQ(load({"--body-limit=99"}).body_limit, 99u);
    ::unsetenv("COSMO_BODY_LIMIT");
}

TEST(Config, PrefixIsNormalised) {
    EXPECT_EQ(load({"--external-prefix=dav/"}).external_prefix, "/dav");
    EXPECT_EQ(load({"--trusted-proxies=10.0.0.1, 10.0.0.2"}).trusted_proxies.size(), 2u);
}

}  // namespace
}  // namespace cosmo::test
