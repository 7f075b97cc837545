// cosmo-loadtest: seeds a Cosmo server with deterministic realistic calendars
// and measures operations against it (docs/performance.md).
//
//   cosmo-loadtest seed  --url URL --users U --events E --seed S --concurrency C --password-file F
//   cosmo-loadtest run   --op OP[,OP...] --connections N --duration S [--rate R] [--json FILE]
//   cosmo-loadtest model --user U --index I | --stats

#include "../runner.hpp"
#include "../seeder.hpp"

#include <boost/json/serialize.hpp>
#include <boost/program_options.hpp>

#include <chrono>
#include <fstream>
#include <iostream>

namespace po = boost::program_options;
using namespace cosmo::loadtest;

namespace {

void write_json(const std::string& path, const boost::json::value& v) {
    if (path.empty()) {
        return;
    }
    std::ofstream out(path);
    if (!out) {
        throw std::runtime_error("cannot write " + path);
    }
    out << boost::json::serialize(v) << "\n";
}

std::vector<std::string> split_ops(const std::string& list) {
    std::vector<std::string> out;
    if (list == "all") {
        for (const OpEntry& e : operations()) {
            out.emplace_back(e.name);
        }
        return out;
    }
    std::size_t pos = 0;
    while (pos <= list.size()) {
        const auto comma = list.find(',', pos);
        out.push_back(list.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos));
        if (comma == std::string::npos) {
            break;
        }
        pos = comma + 1;
    }
    return out;
}

int usage(const po::options_description& desc) {
    std::cout << "usage: cosmo-loadtest seed|run|model [options]\n\n" << desc << "\noperations:\n";
    for (const OpEntry& e : operations()) {
        std::printf("  %-20s %s\n", e.name, e.summary);
    }
    return 2;
}

}  // namespace

int main(int argc, char** argv) {
    RunOptions o;
    std::string command, password_file, password, json_path, ops;
    int concurrency = 32, first_user = 0, user = 0, index = 0;
    bool stats = false, quiet = false;
    po::options_description desc("options");
    desc.add_options()
        ("help,h", "this help")
        ("url", po::value(&o.url)->default_value(o.url), "server base URL (http only)")
        ("users", po::value(&o.users)->default_value(o.users), "users user0000.. in the data set")
        ("events", po::value(&o.events)->default_value(o.events), "events per user")
        ("seed", po::value(&o.seed)->default_value(o.seed), "model seed")
        ("password-file", po::value(&password_file),
         "one password for all users, or user:password lines")
        ("password", po::value(&password), "one password for all users")
        ("threads", po::value(&o.threads)->default_value(o.threads), "client I/O threads")
        ("timeout", po::value(&o.timeout_s)->default_value(o.timeout_s), "request timeout (s)")
        ("json", po::value(&json_path), "also write results as JSON to FILE")
        ("quiet,q", po::bool_switch(&quiet), "no progress on stderr")
        // seed
        ("concurrency", po::value(&concurrency)->default_value(concurrency), "seed: connections")
        ("first-user", po::value(&first_user)->default_value(0), "seed: start at this user")
        // run
        ("op", po::value(&ops)->default_value("get"), "run: operation(s), comma-separated, or all")
        ("connections", po::value(&o.connections)->default_value(o.connections), "run: connections")
        ("duration", po::value(&o.duration)->default_value(o.duration), "run: measured seconds")
        ("warmup", po::value(&o.warmup)->default_value(o.warmup), "run: unmeasured seconds first")
        ("rate", po::value(&o.rate)->default_value(0), "run: open loop at R requests/s in total")
        ("think-ms", po::value(&o.think_ms)->default_value(0), "run: profiles' mean think time")
        ("changes", po::value(&o.changes)->default_value(o.changes), "run: edits before sync-delta")
        ("edit-prob", po::value(&o.edit_prob)->default_value(o.edit_prob),
         "run: profiles' edit probability per cycle")
        ("with-data", po::bool_switch(&o.with_data), "run: query-month asks for calendar-data")
        ("path", po::value(&o.static_path), "run get: fetch this path (ceiling measurement)")
        ("tag", po::value(&o.tag), "run: name tag of created resources (default: clock)")
        // model
        ("user", po::value(&user)->default_value(0), "model: user")
        ("index", po::value(&index)->default_value(0), "model: event index")
        ("stats", po::bool_switch(&stats), "model: print body size statistics");
    po::options_description hidden;
    hidden.add_options()("command", po::value(&command));
    po::options_description all;
    all.add(desc).add(hidden);
    po::positional_options_description pos;
    pos.add("command", 1);
    try {
        po::variables_map vm;
        po::store(po::command_line_parser(argc, argv).options(all).positional(pos).run(), vm);
        po::notify(vm);
        if (vm.count("help") || command.empty()) {
            return usage(desc);
        }
        if (o.users < 1 || o.events < 1 || o.connections < 1 || o.duration <= 0) {
            throw std::invalid_argument("users, events, connections and duration must be > 0");
        }
        if (o.tag.empty()) {
            o.tag = std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                                       std::chrono::system_clock::now().time_since_epoch())
                                       .count());
        }
        Credentials creds = !password_file.empty() ? Credentials::load(password_file)
                                                   : Credentials::common(password);

        if (command == "model") {
            SeedModel model(o.seed, o.events);
            if (!stats) {
                std::cout << model.ical(model.event(user, index));
                return 0;
            }
            std::uint64_t bytes = 0, n = 0;
            for (int u = 0; u < std::min(o.users, 10); ++u) {
                for (int i = 0; i < o.events; ++i, ++n) {
                    bytes += model.ical(model.event(u, i)).size();
                }
            }
            std::cout << "mean_body_bytes " << bytes / std::max<std::uint64_t>(n, 1) << "\n";
            return 0;
        }
        Workload workload(o, creds);
        if (command == "seed") {
            const SeedResult r = seed_events(workload, concurrency, first_user, !quiet);
            const boost::json::value v = to_json(r);
            std::cout << boost::json::serialize(v) << "\n";
            write_json(json_path, v);
            return r.errors.empty() ? 0 : 1;
        }
        if (command == "run") {
            std::vector<OpResult> results;
            boost::json::array arr;
            for (const std::string& name : split_ops(ops)) {
                const OpEntry* op = find_operation(name);
                if (op == nullptr) {
                    throw std::invalid_argument("unknown operation " + name);
                }
                if (!quiet) {
                    std::cerr << "run: " << name << " (" << o.connections << " connections, "
                              << o.duration << " s)\n";
                }
                results.push_back(run_operation(*op, workload));
                arr.push_back(to_json(results.back()));
            }
            print_table(std::cout, results);
            write_json(json_path,
                       boost::json::object{{"url", o.url},
                                           {"users", o.users},
                                           {"events", o.events},
                                           {"seed", o.seed},
                                           {"results", arr}});
            return 0;
        }
        return usage(desc);
    } catch (const std::exception& e) {
        std::cerr << "cosmo-loadtest: " << e.what() << "\n";
        return 1;
    }
}
