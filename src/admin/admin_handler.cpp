#include "cosmo/admin/admin_handler.hpp"

#include <utility>

#include <spdlog/spdlog.h>

#include "cosmo/store/error.hpp"

namespace cosmo::admin {

AdminHandler::AdminHandler(store::Directory& directory, store::ShardStore& shards,
                           MetricsSources metrics)
    : directory_(directory), shards_(shards), metrics_(std::move(metrics)) {}

http::Response AdminHandler::handle(http::Request& request, http::RequestContext&) const {
    std::string_view target = request.target();
    if (auto q = target.find('?'); q != std::string_view::npos) {
        target = target.substr(0, q);
    }
    if (request.method() != http::Verb::get && request.method() != http::Verb::head) {
        auto res = http::make_response(request, http::Status::method_not_allowed,
                                       "method not allowed\n");
        res.set(http::Field::allow, "GET, HEAD");
        return res;
    }
    if (target == "/healthz") {
        return http::make_response(request, http::Status::ok, "ok\n");
    }
    if (target == "/readyz") {
        // Ready means "can serve": the directory is needed for every request.
        // A shard that is down fails only its own users (503 from the DAV
        // layer); failing readiness for it would make the load balancer drop
        // every app server and fail the users of healthy shards too. So a
        // shard outage shows in the body, and fails readiness only when
        // asked for with ?all-shards (docs/operations.md).
        try {
            directory_.ping();
        } catch (const std::exception& e) {
            spdlog::warn("readyz: directory unreachable: {}", e.what());
            return http::make_response(request, http::Status::service_unavailable,
                                       "directory unreachable\n");
        }
        const bool strict = request.target().find("all-shards") != std::string_view::npos;
        try {
            shards_.ping_all();
        } catch (const std::exception& e) {
            spdlog::warn("readyz: shard unreachable: {}", e.what());
            return http::make_response(
                request, strict ? http::Status::service_unavailable : http::Status::ok,
                "directory ok; shard unreachable\n");
        }
        return http::make_response(request, http::Status::ok, "ready\n");
    }
    if (target == "/metrics") {
        // The content type of the text exposition format, version 0.0.4.
        return http::make_response(request, http::Status::ok, render_metrics(metrics_),
                                   "text/plain; version=0.0.4; charset=utf-8");
    }
    if (target == "/admin" || target.starts_with("/admin/")) {
        // DESIGN.md places the management dashboard here; it is not built
        // yet, and says so rather than looking like a wrong path.
        return http::make_response(request, http::Status::not_implemented,
                                   "the management dashboard is not built yet; "
                                   "see docs/operations.md\n");
    }
    return http::make_response(request, http::Status::not_found, "not found\n");
}

}  // namespace cosmo::admin
