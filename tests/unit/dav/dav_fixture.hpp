#pragma once
/// Shared fixture for the dispatcher tests: an in-memory directory and store
/// with users alice (alice@example.com) and bob, and helpers to send
/// requests and read multistatus bodies as parsed XML.

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "cosmo/dav/dispatcher.hpp"
#include "cosmo/xml/reader.hpp"
#include "support/memory_store.hpp"

namespace cosmo::test {

using Headers = std::vector<std::pair<std::string, std::string>>;

inline const std::string kHome = "/calendars/users/alice/";

/// One property of one multistatus response.
struct PropResult {
    int status = 0;
    xml::Element value;
};

/// href -> "{ns}local" -> result.
using Multistatus = std::map<std::string, std::map<std::string, PropResult>>;

class DavTest : public ::testing::Test {
protected:
    void SetUp() override {
        directory.add_shard("s1", "memory");
        directory.add_user("alice", "alice@example.com", "x");
        directory.add_user("bob", "", "x");
        make_dispatcher({});
    }

    void make_dispatcher(dav::Options options) {
        dispatcher = std::make_unique<dav::Dispatcher>(std::move(options), directory, shards);
    }

    http::Response send(std::string_view method, std::string_view target, std::string body = {},
                        const Headers& headers = {}, std::string user = "alice") {
        http::Request req;
        const auto verb = boost::beast::http::string_to_verb(method);
        if (verb == http::Verb::unknown) {
            req.method_string(method);
        } else {
            req.method(verb);
        }
        req.target(target);
        req.version(11);
        req.set(http::Field::host, "localhost");
        for (const auto& [k, v] : headers) req.set(k, v);
        req.body() = std::move(body);
        req.prepare_payload();
        http::RequestContext ctx;
        ctx.request_id = "req-1";
        ctx.user = std::move(user);
        http::Response res = dispatcher->handle(req, ctx);
        // A streamed answer is made whole here, as the server would send it;
        // parts counts the parts after the first (0: not streamed).
        parts = 0;
        for (bool more = static_cast<bool>(ctx.body_rest); more; ++parts) {
            more = ctx.body_rest(res.body());
        }
        return res;
    }

    /// Parts the last answer was streamed in after its first (0: made whole).
    int parts = 0;

    int status(std::string_view method, std::string_view target, std::string body = {},
               const Headers& headers = {}, std::string user = "alice") {
        return static_cast<int>(send(method, target, std::move(body), headers, std::move(user)).result());
    }

    /// PUT a small text file into alice's home.
    int put(const std::string& rel, std::string body = "hello\n", const Headers& h = {}) {
        Headers all = h;
        all.emplace_back("Content-Type", "text/plain");
        return status("PUT", kHome + rel, std::move(body), all);
    }
    int mkcol(const std::string& rel) { return status("MKCOL", kHome + rel); }

    Multistatus propfind(const std::string& target, const std::string& body,
                         const std::string& depth = "0", const Headers& extra = {}) {
        Headers h = extra;
        h.emplace_back("Depth", depth);
        const http::Response res = send("PROPFIND", target, body, h);
        EXPECT_EQ(static_cast<int>(res.result()), 207) << res.body();
        return parse_multistatus(res.body());
    }

    static std::string prop_body(const std::vector<std::pair<std::string, std::string>>& names) {
        std::string b = "<?xml version=\"1.0\"?><D:propfind xmlns:D=\"DAV:\"><D:prop>";
        for (const auto& [ns, local] : names) b += "<" + local + " xmlns=\"" + ns + "\"/>";
        return b + "</D:prop></D:propfind>";
    }

    static Multistatus parse_multistatus(const std::string& body) {
        Multistatus out;
        const xml::Element root = xml::parse(body);
        EXPECT_EQ(root.name, xml::dav("multistatus"));
        for (const xml::Element& r : root.children) {
            const xml::Element* href = r.child(xml::dav("href"));
            if (!href) continue;
            auto& props = out[href->text];
            for (const xml::Element& ps : r.children) {
                if (ps.name != xml::dav("propstat")) continue;
                const xml::Element* st = ps.child(xml::dav("status"));
                const int code = st ? std::stoi(st->text.substr(9, 3)) : 0;
                if (const xml::Element* prop = ps.child(xml::dav("prop"))) {
                    for (const xml::Element& p : prop->children) props[p.name.clark()] = {code, p};
                }
            }
        }
        return out;
    }

    /// The precondition element named in a <D:error> body.
    static std::string precondition(const http::Response& res) {
        const xml::Element root = xml::parse(res.body());
        if (root.name != xml::dav("error") || root.children.empty()) return "";
        return root.children.front().name.local;
    }

    /// Lock a resource; returns the token (without <>), "" on failure.
    std::string lock(const std::string& target, bool exclusive = true, const std::string& depth = "0",
                     int* code = nullptr) {
        const std::string body =
            std::string("<?xml version=\"1.0\"?><D:lockinfo xmlns:D=\"DAV:\"><D:lockscope>") +
            (exclusive ? "<D:exclusive/>" : "<D:shared/>") +
            "</D:lockscope><D:locktype><D:write/></D:locktype>"
            "<D:owner>litmus test suite</D:owner></D:lockinfo>";
        const http::Response res =
            send("LOCK", target, body, {{"Depth", depth}, {"Timeout", "Second-3600"}});
        if (code) *code = static_cast<int>(res.result());
        const auto it = res.find("Lock-Token");
        if (it == res.end()) return "";
        std::string t(it->value());
        return t.size() > 2 ? t.substr(1, t.size() - 2) : "";
    }

    MemoryDirectory directory;
    MemoryShardStore shards;
    std::unique_ptr<dav::Dispatcher> dispatcher;
};

inline std::string dav_clark(const std::string& local) { return "{DAV:}" + local; }

}  // namespace cosmo::test
