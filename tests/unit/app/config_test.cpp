/// Configuration keys that carry protocol decisions (docs/operations.md).

#include <gtest/gtest.h>

#include <stdexcept>

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
