#include "support/pg_fixture.hpp"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <pqxx/pqxx>

namespace cosmo::test {

namespace {

std::atomic<int> g_counter{0};

std::string with_dbname(const std::string& base, const std::string& name) {
    return base + " dbname=" + name;
}

/// Runs one statement outside a transaction (CREATE/DROP DATABASE need it).
void admin_exec(const std::string& base, const std::string& sql) {
    pqxx::connection conn(with_dbname(base, "postgres"));
    pqxx::nontransaction txn(conn);
    txn.exec(sql);
}

}  // namespace

std::optional<std::string> pg_base_dsn() {
    const char* env = std::getenv("COSMO_TEST_PG");
    if (env == nullptr || *env == '\0') {
        return std::nullopt;
    }
    return std::string(env);
}

std::vector<std::vector<std::string>> pg_query(const std::string& dsn, const std::string& sql) {
    pqxx::connection conn(dsn);
    pqxx::nontransaction txn(conn);
    std::vector<std::vector<std::string>> out;
    for (const auto& row : txn.exec(sql)) {
        std::vector<std::string> cells;
        for (const auto& field : row) {
            cells.push_back(field.is_null() ? std::string() : field.as<std::string>());
        }
        out.push_back(std::move(cells));
    }
    return out;
}

PgDatabases::PgDatabases(std::string base_dsn) : base_(std::move(base_dsn)) {
    prefix_ = "cosmo_test_" + std::to_string(::getpid()) + "_" + std::to_string(g_counter++);
    directory_dsn_ = create_database("dir");
    store_pg::migrate(directory_dsn_, store_pg::DatabaseKind::kDirectory);
    auto directory = store_pg::make_directory(directory_dsn_, test_pool_options());
    for (const char* name : {"shard_a", "shard_b"}) {
        const std::string dsn = create_database(name);
        store_pg::migrate(dsn, store_pg::DatabaseKind::kShard);
        shard_dsns_.push_back(dsn);
        shard_ids_.push_back(directory->add_shard(name, dsn).id);
    }
}

PgDatabases::~PgDatabases() {
    for (const auto& name : names_) {
        try {
            admin_exec(base_, "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        } catch (const std::exception& e) {
            ADD_FAILURE() << "cannot drop " << name << ": " << e.what();
        }
    }
}

std::string PgDatabases::create_database(const std::string& suffix) {
    const std::string name = prefix_ + "_" + suffix;
    admin_exec(base_, "CREATE DATABASE " + name);
    names_.push_back(name);
    return with_dbname(base_, name);
}

store_pg::PoolOptions test_pool_options() {
    store_pg::PoolOptions options;
    options.max_connections = 4;
    options.connect_timeout = std::chrono::milliseconds(2000);
    options.acquire_timeout = std::chrono::milliseconds(2000);
    options.statement_timeout = std::chrono::milliseconds(10000);
    return options;
}

PgDatabases* PgStoreTest::dbs_ = nullptr;

void PgStoreTest::SetUpTestSuite() {
    if (auto base = pg_base_dsn()) {
        dbs_ = new PgDatabases(*base);
    }
}

void PgStoreTest::TearDownTestSuite() {
    delete dbs_;
    dbs_ = nullptr;
}

void PgStoreTest::SetUp() {
    if (dbs_ == nullptr) {
        GTEST_SKIP() << "COSMO_TEST_PG is not set";
    }
    directory_ = store_pg::make_directory(dbs_->directory_dsn(), test_pool_options());
    shards_ = store_pg::make_shard_store(*directory_, test_pool_options());
}

void PgStoreTest::TearDown() {
    shards_.reset();
    directory_.reset();
}

store::User PgStoreTest::new_user(const std::string& hint) {
    const std::string name = hint + "_" + std::to_string(g_counter++) + "@example.org";
    return directory_->add_user(name, name, "hash");
}

store::User PgStoreTest::new_user_with_home(const std::string& hint) {
    auto user = new_user(hint);
    auto session = shards_->open(user);
    session->ensure_home();
    session->commit();
    return user;
}

int PgStoreTest::shard_index(const store::User& user) const {
    return user.shard_id == dbs_->shard_id(0) ? 0 : 1;
}

}  // namespace cosmo::test
