#include "cosmo/app/cli.hpp"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <iomanip>
#include <iostream>
#include <string>
#include <vector>

#include <boost/program_options.hpp>
#include <spdlog/spdlog.h>

#include "cosmo/app/config.hpp"
#include "cosmo/app/databases.hpp"
#include "cosmo/app/serve.hpp"
#include "cosmo/app/users.hpp"
#include "cosmo/auth/password.hpp"
#include "cosmo/core/log.hpp"
#include "cosmo/store/error.hpp"
#include "cosmo/store_pg/pg.hpp"
#include "cosmo/store_pg/shard_admin.hpp"

namespace cosmo::app {

namespace po = boost::program_options;

namespace {

constexpr const char* kUsage = R"(usage:
  cosmo serve   [--config FILE] [--listen ADDR:PORT] [options]
  cosmo migrate [--config FILE]                 # directory and every shard
  cosmo user add NAME [--email E] --password-stdin
  cosmo user list | user disable NAME | user enable NAME
  cosmo user passwd NAME --password-stdin
  cosmo shard add NAME DSN [--weight N] | shard list
  cosmo shard drain NAME [--move] | shard readonly NAME | shard activate NAME
  cosmo user move NAME --to SHARD               # online; re-run finishes a crashed move
Every configuration key is also a --flag and a COSMO_* variable: cosmo help config
)";

struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

std::string read_password_stdin() {
    std::string line;
    if (!std::getline(std::cin, line)) {
        throw UsageError("--password-stdin: no password on standard input");
    }
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) {
        line.pop_back();
    }
    if (line.empty()) {
        throw UsageError("--password-stdin: empty password");
    }
    return line;
}

void expect_args(const std::vector<std::string>& args, std::size_t n, const char* what) {
    if (args.size() != n) {
        throw UsageError(std::string("expected: ") + what);
    }
}

/// Fault injection for tests: COSMO_TEST_MOVE_CRASH_AFTER=STEP ends the
/// process like kill -9 right after that step of a move (shard_admin.hpp).
store_pg::MoveHooks move_hooks() {
    store_pg::MoveHooks hooks;
    if (const char* step = std::getenv("COSMO_TEST_MOVE_CRASH_AFTER"); step && *step) {
        const std::string when = step;
        hooks.after_step = [when](std::string_view done) {
            if (done == when) {
                std::cerr << "cosmo: crashing after step " << when << " (test)\n";
                std::_Exit(137);
            }
        };
    }
    return hooks;
}

int run_user(const std::string& sub, const std::vector<std::string>& args, const Config& config,
             const po::variables_map& vm) {
    Databases db(config, /*migrate=*/false);
    if (sub == "add") {
        expect_args(args, 1, "user add NAME [--email E] --password-stdin");
        if (!vm.count("password-stdin")) {
            throw UsageError("user add needs --password-stdin");
        }
        auto user = create_user(db.directory(), db.shards(), args[0],
                                vm.count("email") ? vm["email"].as<std::string>() : "",
                                read_password_stdin());
        auto shard = db.directory().find_shard(user.shard_id);
        std::cout << "created user " << user.name << " on shard "
                  << (shard ? shard->name : std::to_string(user.shard_id)) << "\n";
        return 0;
    }
    if (sub == "list") {
        expect_args(args, 0, "user list");
        std::cout << std::left << std::setw(32) << "NAME" << std::setw(32) << "EMAIL"
                  << std::setw(8) << "SHARD" << "STATE\n";
        for (const auto& u : db.directory().list_users()) {
            std::cout << std::setw(32) << u.name << std::setw(32) << u.email << std::setw(8)
                      << u.shard_id << (u.disabled ? "disabled" : "active") << "\n";
        }
        return 0;
    }
    if (sub == "disable" || sub == "enable") {
        expect_args(args, 1, "user disable|enable NAME");
        if (!db.directory().find_user(args[0])) {
            throw std::runtime_error("no such user: " + args[0]);
        }
        db.directory().set_disabled(args[0], sub == "disable");
        std::cout << (sub == "disable" ? "disabled " : "enabled ") << args[0] << "\n";
        return 0;
    }
    if (sub == "passwd") {
        expect_args(args, 1, "user passwd NAME --password-stdin");
        if (!vm.count("password-stdin")) {
            throw UsageError("user passwd needs --password-stdin");
        }
        if (!db.directory().find_user(args[0])) {
            throw std::runtime_error("no such user: " + args[0]);
        }
        db.directory().set_password(args[0], auth::hash_password(read_password_stdin()));
        std::cout << "password changed for " << args[0] << "\n";
        return 0;
    }
    if (sub == "move") {
        expect_args(args, 1, "user move NAME --to SHARD");
        if (!vm.count("to")) {
            throw UsageError("user move needs --to SHARD");
        }
        std::cout << store_pg::move_user(db.directory_dsn(), args[0],
                                         vm["to"].as<std::string>(), move_hooks())
                  << "\n";
        return 0;
    }
    throw UsageError("unknown user subcommand: " + sub);
}

/// `shard drain NAME --move`: each user of the shard, one at a time, to the
/// active shard with the fewest users per weight.
int drain_users(Databases& db, const std::string& shard_name) {
    auto shards = db.directory().list_shards();
    auto source = std::find_if(shards.begin(), shards.end(),
                               [&](const store::Shard& s) { return s.name == shard_name; });
    if (source == shards.end()) {
        throw std::runtime_error("no such shard: " + shard_name);
    }
    const store::ShardId source_id = source->id;
    int failures = 0;
    for (const auto& user : db.directory().list_users()) {
        if (user.shard_id != source_id) {
            continue;
        }
        shards = db.directory().list_shards();
        const store::Shard* best = nullptr;
        for (const auto& s : shards) {
            if (s.id == source_id || s.state != "active") {
                continue;
            }
            if (best == nullptr || s.users * best->weight < best->users * s.weight) {
                best = &s;
            }
        }
        if (best == nullptr) {
            throw std::runtime_error("no other active shard to move users to");
        }
        try {
            std::cout << store_pg::move_user(db.directory_dsn(), user.name, best->name,
                                             move_hooks())
                      << "\n";
        } catch (const store::Error& e) {
            std::cerr << "cosmo: moving " << user.name << " failed: " << e.what() << "\n";
            ++failures;
        }
    }
    return failures == 0 ? 0 : 1;
}

int run_shard(const std::string& sub, const std::vector<std::string>& args,
              const Config& config, const po::variables_map& vm) {
    Databases db(config, /*migrate=*/false);
    if (sub == "add") {
        expect_args(args, 2, "shard add NAME DSN");
        int version = store_pg::migrate(args[1], store_pg::DatabaseKind::kShard);
        auto shard = db.directory().add_shard(args[0], args[1]);
        // Ids unique across shards before the first user lands here.
        store_pg::prepare_shard_ids(args[1], shard.id);
        if (vm.count("weight")) {
            store_pg::set_shard_weight(db.directory_dsn(), shard.name, vm["weight"].as<int>());
        }
        std::cout << "added shard " << shard.name << " (id " << shard.id << ", schema "
                  << version << ")\n";
        return 0;
    }
    if (sub == "list") {
        expect_args(args, 0, "shard list");
        std::cout << std::left << std::setw(6) << "ID" << std::setw(20) << "NAME" << std::setw(10)
                  << "STATE" << std::setw(8) << "WEIGHT" << std::setw(8) << "USERS"
                  << std::setw(12) << "RESOURCES" << std::setw(14) << "BYTES" << "DB\n";
        for (const auto& s : db.directory().list_shards()) {
            std::cout << std::setw(6) << s.id << std::setw(20) << s.name << std::setw(10)
                      << s.state << std::setw(8) << s.weight << std::setw(8) << s.users;
            try {
                const auto u = store_pg::shard_usage(
                    s.dsn, std::chrono::milliseconds(config.db_connect_timeout_ms));
                std::cout << std::setw(12) << u.resources << std::setw(14) << u.bytes << "up\n";
            } catch (const store::Error&) {
                std::cout << std::setw(12) << "-" << std::setw(14) << "-" << "DOWN\n";
            }
        }
        for (const auto& name : store_pg::pending_moves(db.directory_dsn())) {
            std::cout << "move pending: " << name << " (re-run cosmo user move)\n";
        }
        return 0;
    }
    if (sub == "drain") {
        expect_args(args, 1, "shard drain NAME");
        db.directory().set_shard_state(args[0], "draining");
        std::cout << "shard " << args[0] << " is draining: no new users are placed there\n";
        if (vm.count("move")) {
            return drain_users(db, args[0]);
        }
        return 0;
    }
    if (sub == "readonly" || sub == "activate") {
        expect_args(args, 1, "shard readonly|activate NAME");
        db.directory().set_shard_state(args[0], sub == "readonly" ? "readonly" : "active");
        std::cout << "shard " << args[0]
                  << (sub == "readonly"
                          ? " is read-only: writes get 503 on every app server within 10 s\n"
                          : " is active\n");
        return 0;
    }
    throw UsageError("unknown shard subcommand: " + sub);
}

}  // namespace

int run_cli(int argc, char** argv) {
    std::vector<std::string> argv_words(argv + 1, argv + argc);
    if (argv_words.empty() || argv_words[0] == "--help" || argv_words[0] == "-h" ||
        argv_words[0] == "help") {
        if (argv_words.size() >= 2 && argv_words[1] == "config") {
            Config defaults;
            std::cout << config_options(defaults);
            return 0;
        }
        std::cout << kUsage;
        return argv_words.empty() ? 2 : 0;
    }
    const std::string command = argv_words[0];
    std::string sub;
    std::size_t first_arg = 1;
    if (command == "user" || command == "shard") {
        if (argv_words.size() < 2) {
            std::cerr << kUsage;
            return 2;
        }
        sub = argv_words[1];
        first_arg = 2;
    }
    std::vector<std::string> rest(argv_words.begin() + static_cast<long>(first_arg),
                                  argv_words.end());

    po::options_description command_options("Command options");
    command_options.add_options()
        ("email", po::value<std::string>(), "user's e-mail address")
        ("password-stdin", "read the password from the first line of standard input")
        ("to", po::value<std::string>(), "target shard of a move")
        ("move", "with shard drain: move the users away")
        ("weight", po::value<int>(), "with shard add: placement weight (default 1)");
    try {
        std::vector<std::string> positional;
        Config config = load_config(rest, command_options, &positional);
        po::variables_map vm;
        {
            po::options_description all;
            Config scratch;
            all.add(config_options(scratch)).add(command_options);
            po::options_description hidden;
            hidden.add_options()("positional", po::value<std::vector<std::string>>(), "");
            all.add(hidden);
            po::positional_options_description pos;
            pos.add("positional", -1);
            po::store(po::command_line_parser(rest).options(all).positional(pos).run(), vm);
        }
        // Administrative commands print their result; their log lines are
        // noise unless asked for (or a warning).
        const bool log_level_given = vm.count("log-level") || std::getenv("COSMO_LOG_LEVEL");
        core::setup_logging(command == "serve" || log_level_given ? config.log_level : "warn");
        if (command == "serve") {
            expect_args(positional, 0, "serve [options]");
            return serve(config);
        }
        if (command == "migrate") {
            expect_args(positional, 0, "migrate [options]");
            Databases db(config, /*migrate=*/true);
            std::cout << "migrated the directory and "
                      << db.directory().list_shards().size() << " shard(s)\n";
            return 0;
        }
        if (command == "user") {
            return run_user(sub, positional, config, vm);
        }
        if (command == "shard") {
            return run_shard(sub, positional, config, vm);
        }
        throw UsageError("unknown command: " + command);
    } catch (const UsageError& e) {
        std::cerr << "cosmo: " << e.what() << "\n" << kUsage;
        return 2;
    } catch (const store::Error& e) {
        std::cerr << "cosmo: " << e.what() << "\n";
        return 1;
    } catch (const std::exception& e) {
        std::cerr << "cosmo: " << e.what() << "\n";
        return 1;
    }
}

}  // namespace cosmo::app
