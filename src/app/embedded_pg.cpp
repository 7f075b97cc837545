#include "cosmo/app/embedded_pg.hpp"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <system_error>
#include <thread>
#include <vector>

#include <spdlog/spdlog.h>

namespace cosmo::app {
namespace {

namespace fs = std::filesystem;

/// Who a child process runs as. PostgreSQL refuses to run as root, so a root
/// process runs initdb and pg_ctl as the `postgres` system user.
struct Identity {
    bool drop = false;
    uid_t uid = 0;
    gid_t gid = 0;
};

/// A finished child process: its exit status (-1 when killed by a signal)
/// and its stdout and stderr, interleaved.
struct RunResult {
    int status = -1;
    std::string output;
};

[[noreturn]] void fail(const std::string& what) {
    throw std::runtime_error("embedded postgres: " + what);
}

std::string errno_text() { return std::strerror(errno); }

/// The last lines of a tool's output, for error messages and logs.
std::string tail(const std::string& text, std::size_t max_chars = 2000) {
    if (text.size() <= max_chars) {
        return text;
    }
    return "..." + text.substr(text.size() - max_chars);
}

/// Runs argv[0] (an absolute path) with the given arguments, without a shell,
/// and collects its output. The child's stdin is /dev/null; every descriptor
/// of ours is close-on-exec or replaced, so a daemon started by the child
/// (pg_ctl start) does not inherit the pipe or the data-dir lock.
RunResult run(const std::vector<std::string>& argv, const Identity& as) {
    std::vector<char*> args;
    args.reserve(argv.size() + 1);
    for (const auto& arg : argv) {
        args.push_back(const_cast<char*>(arg.c_str()));
    }
    args.push_back(nullptr);

    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) {
        fail("pipe: " + errno_text());
    }
    const pid_t pid = fork();
    if (pid < 0) {
        const std::string reason = errno_text();
        close(fds[0]);
        close(fds[1]);
        fail("fork: " + reason);
    }
    if (pid == 0) {
        // Child: only async-signal-safe calls until execv.
        const int null_fd = open("/dev/null", O_RDONLY);
        if (null_fd >= 0) {
            dup2(null_fd, STDIN_FILENO);
        }
        dup2(fds[1], STDOUT_FILENO);
        dup2(fds[1], STDERR_FILENO);
        if (as.drop) {
            if (setgroups(1, &as.gid) != 0 || setgid(as.gid) != 0 || setuid(as.uid) != 0) {
                static const char kMsg[] = "cannot switch to the postgres user\n";
                [[maybe_unused]] auto n = write(STDERR_FILENO, kMsg, sizeof kMsg - 1);
                _exit(126);
            }
        }
        // The postgres user may not be allowed into our working directory.
        [[maybe_unused]] int ignored = chdir("/");
        execv(args[0], args.data());
        static const char kMsg[] = "exec failed\n";
        [[maybe_unused]] auto n = write(STDERR_FILENO, kMsg, sizeof kMsg - 1);
        _exit(127);
    }
    close(fds[1]);
    RunResult result;
    char buffer[4096];
    for (;;) {
        const ssize_t n = read(fds[0], buffer, sizeof buffer);
        if (n > 0) {
            result.output.append(buffer, static_cast<std::size_t>(n));
        } else if (n == 0 || errno != EINTR) {
            break;
        }
    }
    close(fds[0]);
    int wstatus = 0;
    while (waitpid(pid, &wstatus, 0) < 0) {
        if (errno != EINTR) {
            fail("waitpid: " + errno_text());
        }
    }
    result.status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1;
    return result;
}

/// Runs and throws, with the tool's output, unless it exits 0.
RunResult run_checked(const std::vector<std::string>& argv, const Identity& as) {
    RunResult result = run(argv, as);
    if (result.status != 0) {
        fail(argv[0] + " exited with " + std::to_string(result.status) + ": " +
             tail(result.output));
    }
    return result;
}

/// An exclusive flock held for the object's lifetime. The descriptor is
/// close-on-exec: if the postmaster inherited it, nobody could lock again.
class FileLock {
public:
    explicit FileLock(const fs::path& path) {
        fd_ = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        if (fd_ < 0) {
            fail("open " + path.string() + ": " + errno_text());
        }
        while (flock(fd_, LOCK_EX) != 0) {
            if (errno != EINTR) {
                const std::string reason = errno_text();
                close(fd_);
                fail("flock " + path.string() + ": " + reason);
            }
        }
    }
    ~FileLock() { close(fd_); }
    FileLock(const FileLock&) = delete;
    FileLock& operator=(const FileLock&) = delete;

private:
    int fd_ = -1;
};

bool is_executable(const fs::path& path) { return access(path.c_str(), X_OK) == 0; }

/// Where initdb, pg_ctl and createdb live: Debian's versioned directory first
/// (it is not on PATH), then PATH, then `pg_config --bindir`.
fs::path find_bin_dir() {
    const fs::path debian{"/usr/lib/postgresql/15/bin"};
    if (is_executable(debian / "initdb")) {
        return debian;
    }
    const char* path_env = std::getenv("PATH");
    std::string path_list = path_env ? path_env : "/usr/local/bin:/usr/bin:/bin";
    std::optional<fs::path> pg_config;
    std::size_t start = 0;
    while (start <= path_list.size()) {
        const std::size_t end = std::min(path_list.find(':', start), path_list.size());
        const fs::path dir = path_list.substr(start, end - start);
        if (!dir.empty()) {
            if (is_executable(dir / "initdb") && is_executable(dir / "pg_ctl")) {
                return dir;
            }
            if (!pg_config && is_executable(dir / "pg_config")) {
                pg_config = dir / "pg_config";
            }
        }
        start = end + 1;
    }
    if (pg_config) {
        RunResult result = run({pg_config->string(), "--bindir"}, Identity{});
        std::string dir = result.output;
        while (!dir.empty() && (dir.back() == '\n' || dir.back() == '\r')) {
            dir.pop_back();
        }
        if (result.status == 0 && is_executable(fs::path(dir) / "initdb")) {
            return dir;
        }
    }
    fail("cannot find initdb (install postgresql-15, or put its bin directory on PATH)");
}

/// The identity for PostgreSQL's own processes: ourselves, or `postgres`
/// when we are root.
Identity server_identity() {
    if (geteuid() != 0) {
        return Identity{};
    }
    struct passwd pwd {};
    struct passwd* found = nullptr;
    std::vector<char> buffer(16384);
    if (getpwnam_r("postgres", &pwd, buffer.data(), buffer.size(), &found) != 0 || !found) {
        fail("running as root and there is no `postgres` user to run PostgreSQL as");
    }
    return Identity{true, pwd.pw_uid, pwd.pw_gid};
}

/// The postgres user must be able to reach DATA_DIR/pg and DATA_DIR/run:
/// every directory above them needs search permission for others.
void make_traversable(const fs::path& dir) {
    for (fs::path p = dir; !p.empty(); p = p.parent_path()) {
        struct stat st {};
        if (stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode) && !(st.st_mode & S_IXOTH)) {
            spdlog::warn("embedded postgres: adding o+x to {} so the postgres user can reach "
                         "the data directory",
                         p.string());
            if (chmod(p.c_str(), (st.st_mode & 07777) | S_IXOTH) != 0) {
                fail("chmod " + p.string() + ": " + errno_text());
            }
        }
        if (p == p.root_path()) {
            break;
        }
    }
}

void chown_to(const fs::path& path, const Identity& as) {
    if (as.drop && chown(path.c_str(), as.uid, as.gid) != 0) {
        fail("chown " + path.string() + ": " + errno_text());
    }
}

/// A value in a libpq connection string: quoted unless it is a plain word.
std::string conninfo_value(const std::string& value) {
    bool plain = !value.empty();
    for (char c : value) {
        if (c == ' ' || c == '\'' || c == '\\' || c == '=' || c == '\t' || c == '\n') {
            plain = false;
        }
    }
    if (plain) {
        return value;
    }
    std::string quoted = "'";
    for (char c : value) {
        if (c == '\'' || c == '\\') {
            quoted += '\\';
        }
        quoted += c;
    }
    return quoted + "'";
}

/// A string literal in postgresql.conf (quotes doubled).
std::string conf_literal(const std::string& value) {
    std::string quoted = "'";
    for (char c : value) {
        quoted += c;
        if (c == '\'') {
            quoted += '\'';
        }
    }
    return quoted + "'";
}

/// The embedded server's memory settings for this machine: shared_buffers
/// a quarter of physical memory (PostgreSQL's own advice for a dedicated
/// server) within 128MB (its default) and 1GB, and effective_cache_size
/// half of memory. The standard data set (100 users x 1,000 events, about
/// 215 MB with indexes) did not fit the default, and a calendar-query that
/// missed the month-view cache read its objects' pages from the OS
/// (docs/performance.md, session 22). Not more by default: the buffer
/// table grows with the setting, and a server whose data is small would
/// pay for looking through it; a larger shard is an operator's to size.
std::string memory_settings() {
    const long pages = sysconf(_SC_PHYS_PAGES);
    const long page_size = sysconf(_SC_PAGESIZE);
    const long long total_mb =
        pages > 0 && page_size > 0 ? static_cast<long long>(pages) * page_size / (1024 * 1024) : 0;
    const long long shared_mb = std::clamp(total_mb / 4, 128LL, 1024LL);
    const long long cache_mb = std::max(total_mb / 2, shared_mb);
    return "shared_buffers = " + std::to_string(shared_mb) + "MB\n" +
           "effective_cache_size = " + std::to_string(cache_mb) + "MB\n";
}

void write_file(const fs::path& path, const std::string& text) {
    std::ofstream out(path, std::ios::trunc);
    out << text;
    if (!out.flush()) {
        fail("cannot write " + path.string());
    }
}

}  // namespace

EmbeddedPostgres::EmbeddedPostgres(std::filesystem::path data_dir)
    : data_dir_(fs::absolute(std::move(data_dir)).lexically_normal()),
      pg_dir_(data_dir_ / "pg"),
      run_dir_(data_dir_ / "run") {
    if (!data_dir_.has_filename()) {
        data_dir_ = data_dir_.parent_path();  // "var/" -> "var"
        pg_dir_ = data_dir_ / "pg";
        run_dir_ = data_dir_ / "run";
    }
}

bool EmbeddedPostgres::ensure_running() {
    if (bin_dir_.empty()) {
        bin_dir_ = find_bin_dir();
    }
    const Identity as = server_identity();
    // The socket path must fit in sockaddr_un.sun_path (108 bytes).
    const std::string socket = (run_dir_ / (".s.PGSQL." + std::to_string(kPort))).string();
    if (socket.size() >= 100) {
        fail("data directory path too long for a Unix socket: " + socket);
    }

    fs::create_directories(data_dir_);
    FileLock lock(data_dir_ / ".lock");
    if (as.drop) {
        make_traversable(data_dir_);
    }
    fs::create_directories(run_dir_);
    chown_to(run_dir_, as);

    const std::string pg_ctl = (bin_dir_ / "pg_ctl").string();
    const RunResult status = run({pg_ctl, "status", "-D", pg_dir_.string()}, as);
    if (status.status == 0) {
        spdlog::info("embedded postgres: reusing the server already running in {}",
                     pg_dir_.string());
        return false;
    }

    if (!fs::exists(pg_dir_ / "PG_VERSION")) {
        // No cluster, or the remains of an initdb that died half way: we hold
        // the lock, so nobody else is using it.
        fs::remove_all(pg_dir_);
        fs::create_directories(pg_dir_);
        fs::permissions(pg_dir_, fs::perms::owner_all);
        chown_to(pg_dir_, as);
        spdlog::info("embedded postgres: initdb {}", pg_dir_.string());
        run_checked({(bin_dir_ / "initdb").string(), "-D", pg_dir_.string(), "-A", "trust", "-U",
                     kUser, "--encoding", "UTF8", "--locale", "C", "--no-instructions"},
                    as);
        std::ofstream conf(pg_dir_ / "postgresql.conf", std::ios::app);
        conf << "\n# cosmo: the settings below are rewritten on every start.\n"
                "include_if_exists = 'cosmo.conf'\n";
        if (!conf.flush()) {
            fail("cannot append to postgresql.conf");
        }
    }

    // Rewritten on every start, so a moved data directory still works.
    const fs::path cosmo_conf = pg_dir_ / "cosmo.conf";
    write_file(cosmo_conf,
               "# Written by cosmo: listen only on the private Unix socket.\n"
               "listen_addresses = ''\n"
               "port = " + std::to_string(kPort) + "\n"
               "unix_socket_directories = " + conf_literal(run_dir_.string()) + "\n"
               "unix_socket_permissions = 0777\n"
               "max_connections = 200\n" +
                   memory_settings());
    chown_to(cosmo_conf, as);

    const fs::path log_file = run_dir_ / "postgres.log";
    spdlog::info("embedded postgres: starting (log {})", log_file.string());
    const RunResult start = run({pg_ctl, "start", "-D", pg_dir_.string(), "-w", "-t", "120", "-l",
                                 log_file.string()},
                                as);
    if (start.status != 0) {
        std::string server_log;
        if (std::ifstream in{log_file}) {
            server_log.assign(std::istreambuf_iterator<char>(in), {});
        }
        fail("pg_ctl start failed: " + tail(start.output) + "\nserver log:\n" + tail(server_log));
    }
    started_ = true;

    // pg_ctl -w waits for "ready"; make sure our socket answers too.
    const std::string pg_isready = (bin_dir_ / "pg_isready").string();
    for (int attempt = 0;; ++attempt) {
        const RunResult ready = run({pg_isready, "-q", "-h", run_dir_.string(), "-p",
                                     std::to_string(kPort), "-U", kUser, "-d", "postgres"},
                                    Identity{});
        if (ready.status == 0) {
            break;
        }
        if (attempt >= 300) {
            fail("the server started but does not accept connections on " + socket);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    spdlog::info("embedded postgres: accepting connections on {}", socket);
    return true;
}

void EmbeddedPostgres::stop_if_started() {
    if (!started_) {
        return;
    }
    started_ = false;
    try {
        spdlog::info("embedded postgres: stopping");
        run_checked({(bin_dir_ / "pg_ctl").string(), "stop", "-D", pg_dir_.string(), "-m", "fast",
                     "-w", "-t", "60"},
                    server_identity());
    } catch (const std::exception& e) {
        spdlog::error("{}", e.what());
    }
}

std::string EmbeddedPostgres::dsn(const std::string& dbname) const {
    return "host=" + conninfo_value(run_dir_.string()) + " port=" + std::to_string(kPort) +
           " user=" + kUser + " dbname=" + conninfo_value(dbname);
}

void EmbeddedPostgres::ensure_database(const std::string& name) {
    if (bin_dir_.empty()) {
        bin_dir_ = find_bin_dir();
    }
    // Two processes creating the same database at once would race on
    // pg_database's unique index; the lock makes "exists?" and "create" one step.
    FileLock lock(data_dir_ / ".lock");
    // createdb takes the name as its own argument (no SQL quoting needed).
    const RunResult result = run({(bin_dir_ / "createdb").string(), "-h", run_dir_.string(), "-p",
                                  std::to_string(kPort), "-U", kUser, "--", name},
                                 Identity{});
    if (result.status == 0) {
        spdlog::info("embedded postgres: created database {}", name);
        return;
    }
    if (result.output.find("already exists") != std::string::npos) {
        return;
    }
    fail("createdb " + name + " failed: " + tail(result.output));
}

}  // namespace cosmo::app
