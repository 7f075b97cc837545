#pragma once
/// The embedded default database: a private PostgreSQL cluster under the
/// data directory, reachable only through a Unix socket. `cosmo serve` with
/// no directory-dsn uses it, and so do the admin subcommands run against the
/// same data directory while a server runs (DESIGN.md, "CLI").

#include <filesystem>
#include <string>

namespace cosmo::app {

/// One PostgreSQL cluster in DATA_DIR/pg with its socket in DATA_DIR/run.
///
/// PostgreSQL refuses to run as root; when the process runs as root, initdb,
/// pg_ctl and the server itself run as the `postgres` system user.
/// Thread safety: one object per thread. Several processes may use the same
/// data directory at once: start-up and CREATE DATABASE are serialised with
/// a flock on DATA_DIR/.lock.
class EmbeddedPostgres {
public:
    /// The socket name depends on it; nothing listens on TCP.
    static constexpr int kPort = 5432;
    /// The database superuser created by initdb (trust authentication).
    static constexpr const char* kUser = "cosmo";

    /// Nothing happens until ensure_running(); data_dir is made absolute.
    explicit EmbeddedPostgres(std::filesystem::path data_dir);
    /// Does not stop the server: other processes may be using it.
    ~EmbeddedPostgres() = default;

    EmbeddedPostgres(const EmbeddedPostgres&) = delete;
    EmbeddedPostgres& operator=(const EmbeddedPostgres&) = delete;

    /// Runs initdb on first use, then starts the server and waits until it
    /// accepts connections. Reuses a server another process already started
    /// from the same data directory. Returns true if this call started it.
    /// Throws std::runtime_error (with the tool's output) on failure.
    bool ensure_running();
    /// `pg_ctl stop -m fast`, only if ensure_running() of this object started
    /// the server. Logs and swallows errors (it runs on shutdown paths).
    void stop_if_started();
    /// A libpq connection string for dbname over the Unix socket.
    std::string dsn(const std::string& dbname) const;
    /// CREATE DATABASE name, unless it exists already. Throws on failure.
    void ensure_database(const std::string& name);

    /// DATA_DIR/run: the Unix socket directory (libpq's host=).
    const std::filesystem::path& socket_dir() const { return run_dir_; }
    /// DATA_DIR/pg: the cluster's data directory (PGDATA).
    const std::filesystem::path& cluster_dir() const { return pg_dir_; }

private:
    std::filesystem::path data_dir_;
    std::filesystem::path pg_dir_;
    std::filesystem::path run_dir_;
    std::filesystem::path bin_dir_;  ///< found lazily by ensure_running
    bool started_ = false;
};

}  // namespace cosmo::app
