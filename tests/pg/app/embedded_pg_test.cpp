// The embedded default database (DESIGN.md, "CLI"): initdb on first use,
// reuse by a second process, CREATE DATABASE idempotent, explicit stop.
// Needs initdb, so it runs with the pg label (COSMO_TEST_PG set).

#include "cosmo/app/embedded_pg.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>
#include <pqxx/pqxx>

namespace cosmo::app {
namespace {

namespace fs = std::filesystem;

class EmbeddedPgTest : public ::testing::Test {
protected:
    void SetUp() override {
        if (std::getenv("COSMO_TEST_PG") == nullptr) {
            GTEST_SKIP() << "COSMO_TEST_PG is not set";
        }
        // Short path: the socket name must fit in sun_path.
        char templ[] = "/tmp/cosmo-epg-XXXXXX";
        ASSERT_NE(mkdtemp(templ), nullptr);
        dir_ = templ;
    }
    void TearDown() override {
        if (!dir_.empty()) {
            std::error_code ignored;
            fs::remove_all(dir_, ignored);
        }
    }

    /// SELECT current_database() over the object's DSN.
    static std::string current_database(const EmbeddedPostgres& pg, const std::string& db) {
        pqxx::connection conn(pg.dsn(db));
        pqxx::work tx(conn);
        return tx.exec1("SELECT current_database()")[0].as<std::string>();
    }

    fs::path dir_;
};

TEST_F(EmbeddedPgTest, StartsReusesCreatesAndStops) {
    EmbeddedPostgres first(dir_ / "data");
    ASSERT_TRUE(first.ensure_running());
    EXPECT_TRUE(fs::exists(dir_ / "data" / "pg" / "PG_VERSION"));
    EXPECT_TRUE(fs::exists(dir_ / "data" / "run" / ".s.PGSQL.5432"));
    EXPECT_EQ(current_database(first, "postgres"), "postgres");

    // A second process on the same data directory reuses the server.
    EmbeddedPostgres second(dir_ / "data");
    EXPECT_FALSE(second.ensure_running());
    EXPECT_FALSE(first.ensure_running());

    first.ensure_database("cosmo_directory");
    second.ensure_database("cosmo_directory");  // exists: no error
    EXPECT_EQ(current_database(second, "cosmo_directory"), "cosmo_directory");

    // Only the object that started it stops it.
    second.stop_if_started();
    EXPECT_EQ(current_database(first, "postgres"), "postgres");
    first.stop_if_started();
    EXPECT_THROW(current_database(first, "postgres"), pqxx::broken_connection);

    // Started again from the existing cluster, without initdb; data kept.
    EmbeddedPostgres third(dir_ / "data");
    EXPECT_TRUE(third.ensure_running());
    EXPECT_EQ(current_database(third, "cosmo_directory"), "cosmo_directory");
    third.stop_if_started();
}

// Sized to the machine, not PostgreSQL's 128MB default: a quarter of
// physical memory within 128MB..1GB (embedded_pg.cpp, memory_settings).
TEST_F(EmbeddedPgTest, SharedBuffersAreAQuarterOfMemory) {
    EmbeddedPostgres pg(dir_ / "data");
    ASSERT_TRUE(pg.ensure_running());
    const long long total_mb =
        static_cast<long long>(sysconf(_SC_PHYS_PAGES)) * sysconf(_SC_PAGESIZE) / (1024 * 1024);
    const long long expected_mb = std::clamp(total_mb / 4, 128LL, 1024LL);
    pqxx::connection conn(pg.dsn("postgres"));
    pqxx::work tx(conn);
    const auto shared_mb = tx.exec1("SELECT setting::bigint * 8 / 1024 FROM pg_settings "
                                    "WHERE name = 'shared_buffers'")[0].as<long long>();
    EXPECT_EQ(shared_mb, expected_mb);
    tx.commit();
    pg.stop_if_started();
}

TEST_F(EmbeddedPgTest, DsnQuotesPathsWithSpaces) {
    EmbeddedPostgres pg(dir_ / "a b");
    const std::string dsn = pg.dsn("x");
    EXPECT_NE(dsn.find("host='" + (dir_ / "a b" / "run").string() + "'"), std::string::npos) << dsn;
    EXPECT_NE(dsn.find("dbname=x"), std::string::npos) << dsn;
}

TEST_F(EmbeddedPgTest, ConcurrentFirstStartsInitdbOnce) {
    // Two processes race to start the same fresh data directory: exactly one
    // of them starts it, the other reuses it, and neither fails.
    const fs::path data = dir_ / "race";
    pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        int code = 2;
        try {
            EmbeddedPostgres pg(data);
            code = pg.ensure_running() ? 1 : 0;
        } catch (...) {
            code = 3;
        }
        _exit(code);
    }
    EmbeddedPostgres pg(data);
    const bool started_here = pg.ensure_running();
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status));
    const int child_code = WEXITSTATUS(status);
    ASSERT_LT(child_code, 2) << "child failed";
    EXPECT_NE(started_here, child_code == 1);
    EXPECT_EQ(current_database(pg, "postgres"), "postgres");
    // Stop it whoever started it.
    if (started_here) {
        pg.stop_if_started();
    } else {
        const std::string pg_ctl = "/usr/lib/postgresql/15/bin/pg_ctl";
        const std::string cmd = (geteuid() == 0 ? "runuser -u postgres -- " : "") + pg_ctl +
                                " stop -m fast -D '" + (data / "pg").string() + "' >/dev/null";
        EXPECT_EQ(std::system(cmd.c_str()), 0);
    }
}

}  // namespace
}  // namespace cosmo::app
