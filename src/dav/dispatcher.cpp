/// The dispatcher: resolve the target, check access, open the owner's
/// session, pick the method from one table, and turn every error into a
/// response in one place (DESIGN.md §3.4).

#include "cosmo/dav/dispatcher.hpp"

#include <array>

#include <spdlog/spdlog.h>

#include "cosmo/dav/call.hpp"
#include "cosmo/dav/error.hpp"
#include "methods.hpp"

namespace cosmo::dav {

namespace {

struct MethodEntry {
    http::Verb verb;
    http::Response (*handler)(Call&);
    bool store_only;  ///< writes: only below /calendars/users/{user}/
};

/// One row per method (RFC 4918 §9, RFC 3253 §3.6).
const std::array kMethods = {
    MethodEntry{http::Verb::options, handle_options, false},
    MethodEntry{http::Verb::get, handle_get, false},
    MethodEntry{http::Verb::head, handle_get, false},
    MethodEntry{http::Verb::propfind, handle_propfind, false},
    MethodEntry{http::Verb::report, handle_report, false},
    MethodEntry{http::Verb::put, handle_put, true},
    MethodEntry{http::Verb::delete_, handle_delete, true},
    MethodEntry{http::Verb::mkcol, handle_mkcol, true},
    MethodEntry{http::Verb::proppatch, handle_proppatch, true},
    MethodEntry{http::Verb::copy, handle_copy_move, true},
    MethodEntry{http::Verb::move, handle_copy_move, true},
    MethodEntry{http::Verb::lock, handle_lock, true},
    MethodEntry{http::Verb::unlock, handle_unlock, true},
};

const MethodEntry* find_method(http::Verb verb) {
    for (const MethodEntry& m : kMethods) {
        if (m.verb == verb) return &m;
    }
    return nullptr;
}

/// What a PUT's preconditions say its object is, when they say it exactly
/// (OpenHint::guess): no precondition or If-None-Match: * (absent), or
/// If-Match with one strong ETag (present with it). Anything else (a list,
/// If-Match: *, a weak tag, an If header) needs the object read first.
std::optional<store::OpenHint::ObjectGuess> object_guess(const http::Request& req) {
    if (req.find("If") != req.end()) return std::nullopt;
    const auto if_match = req.find(http::Field::if_match);
    const auto if_none_match = req.find(http::Field::if_none_match);
    if (if_match != req.end() && if_none_match != req.end()) return std::nullopt;
    if (if_none_match != req.end()) {
        if (if_none_match->value() != "*") return std::nullopt;
        return store::OpenHint::ObjectGuess{};
    }
    if (if_match == req.end()) return store::OpenHint::ObjectGuess{};
    const std::string_view tag = if_match->value();
    if (tag.size() < 2 || tag.front() != '"' || tag.back() != '"') return std::nullopt;
    const std::string_view inner = tag.substr(1, tag.size() - 2);
    if (inner.find('"') != std::string_view::npos) return std::nullopt;  // a list
    return store::OpenHint::ObjectGuess{std::string(inner)};
}

}  // namespace

struct Dispatcher::Impl {
    Options options;
    Registries registries;
    store::Directory& directory;
    store::ShardStore& shards;

    http::Response run(http::Request& req, http::RequestContext& ctx, bool may_guess) const;
    void open_session(Call& call, bool may_guess) const;
};

Dispatcher::Dispatcher(Options options, store::Directory& directory, store::ShardStore& shards)
    : Dispatcher(std::move(options), directory, shards, default_registries()) {}

Dispatcher::Dispatcher(Options options, store::Directory& directory, store::ShardStore& shards,
                       Registries registries)
    : impl_(std::make_unique<Impl>(
          Impl{std::move(options), std::move(registries), directory, shards})) {}

Dispatcher::~Dispatcher() = default;

void Dispatcher::Impl::open_session(Call& call, bool may_guess) const {
    // The node the request is about comes with the session's first
    // statement (call.store_node stats it next): a GET is one round trip.
    store::OpenHint hint;
    if (call.target.kind == NodeKind::kStore && !call.target.path.empty()) {
        hint.first_path = call.target.path + (call.target.trailing_slash ? "/" : "");
    }
    // PUT and DELETE check locks and read the parent's properties (a
    // calendar's components and time zone) before writing: ask for them
    // with the first statement too.
    const auto method = call.req.method();
    // A PROPFIND Depth 1 on the home (Apple Calendar's poll) lists the
    // home's calendars next: they come with the first statement too.
    hint.list_home = method == boost::beast::http::verb::propfind &&
                     call.target.kind == NodeKind::kStore && call.target.path.empty() &&
                     call.header("Depth") == "1";
    hint.writing = method == boost::beast::http::verb::put ||
                   method == boost::beast::http::verb::delete_;
    // A PUT of an object may go in one round trip (OpenHint::guess); when a
    // guess fails the store throws kRetryable and handle() runs the request
    // again with may_guess false.
    if (may_guess && method == boost::beast::http::verb::put && !hint.first_path.empty() &&
        !call.target.trailing_slash) {
        hint.guess = object_guess(call.req);
    }
    call.session = shards.open(*call.owner, hint);
    if (!call.session->stat("")) {
        // First visit of this home: create it in its own transaction.
        call.session->ensure_home();
        call.session->commit();
        call.session = shards.open(*call.owner);
    }
}

http::Response Dispatcher::Impl::run(http::Request& req, http::RequestContext& ctx,
                                     bool may_guess) const {
    const std::optional<Target> target = parse_target(req.target(), options.prefix);
    if (!target) throw DavError::not_found();
    if (target->kind == NodeKind::kWellKnown) {
        // RFC 6764 §5: a path-absolute Location keeps the client's scheme,
        // host and port (and the proxy prefix).
        http::Response res = http::make_response(req, http::Status::moved_permanently);
        res.set(http::Field::location, options.prefix + "/");
        return res;
    }
    const MethodEntry* method = find_method(req.method());
    const Method* extension = method ? nullptr : registries.find_method(req.method());
    if (!method && !extension) {
        return error_response(req, DavError(http::Status::not_implemented, std::nullopt,
                                            "Method not implemented"));
    }

    ctx.body_rest = nullptr;  // a run before this one (retried) may have set it
    // On the heap: a streamed answer keeps it until its last part is made.
    auto owned_call = std::make_unique<Call>(req, ctx, options, registries, directory, shards);
    Call& call = *owned_call;
    call.target = *target;
    // Access control: a user sees only their own principal and home. For
    // anyone else's (existing or not) the answer is 404, exactly as for a
    // user that does not exist, so the existence of accounts never leaks.
    // Anonymous requests never get here: authentication runs before.
    const bool owned = target->kind == NodeKind::kPrincipal || target->kind == NodeKind::kStore;
    if (owned && (ctx.user.empty() || target->user != ctx.user)) throw DavError::not_found();
    if (owned || target->kind == NodeKind::kCalendarUsers) {
        call.owner = directory.find_user(ctx.user);
        if (!call.owner && owned) throw DavError::not_found();
    }
    if ((target->kind == NodeKind::kStore || target->kind == NodeKind::kCalendarUsers) &&
        call.owner) {
        open_session(call, may_guess);
    }

    if (target->kind == NodeKind::kStore) {
        call.node = call.store_node(target->path, target->trailing_slash);
    } else {
        call.node.kind = target->kind;
        call.node.user = target->user;
        call.node.href = target->kind == NodeKind::kPrincipal
                             ? principal_href(options.prefix, target->user)
                             : virtual_href(options.prefix, target->kind);
    }
    const bool store_only = method ? method->store_only : extension->store_only;
    if (store_only && call.node.kind != NodeKind::kStore) {
        http::Response res = http::make_response(req, http::Status::method_not_allowed,
                                                 "This resource is read-only\n");
        res.set(http::Field::allow, allowed_methods(call.node));
        return res;
    }
    // What the handler read is confirmed still the home's before it is
    // answered, refusals included (a sync token no longer logged): a
    // confirmation that fails throws kMoved, and handle() runs the request
    // again at the home's new place.
    const auto confirm_reads = [&call] {
        if (call.session) call.session->confirm_reads();
    };
    try {
        http::Response res = method ? method->handler(call) : extension->run(call);
        confirm_reads();
        if (call.streaming()) {
            // Each later part opens a session and confirms it (next_part).
            call.session.reset();
            ctx.body_rest = [streamed = std::shared_ptr<Call>(std::move(owned_call))](
                                std::string& out) { return streamed->next_part(out); };
        }
        return res;
    } catch (const DavError&) {
        confirm_reads();
        throw;
    }
}

http::Response Dispatcher::handle(http::Request& request, http::RequestContext& context) const {
    bool may_guess = true;
    bool retried_serialization = false;
    bool retried_route = false;
    for (;;) {
        try {
            return impl_->run(request, context, may_guess);
        } catch (const store::Error& e) {
            if (e.code() == store::Errc::kRetryable && may_guess &&
                request.method() == http::Verb::put) {
                may_guess = false;  // a failed guess (OpenHint::guess): read first this time
                continue;
            }
            if (e.code() == store::Errc::kRetryable && !retried_serialization) {
                retried_serialization = true;
                continue;  // serialization failure: the whole handler runs once more
            }
            if (e.code() == store::Errc::kMoved && !retried_route) {
                // The shard fenced a stale route (the user moved): forget the
                // cached placement and run once more with a fresh lookup.
                // Nothing was written: the session rolled back.
                retried_route = true;
                impl_->directory.invalidate(context.user);
                continue;
            }
            const DavError mapped = to_dav_error(e);
            if (static_cast<unsigned>(mapped.status()) >= 500) {
                spdlog::warn("request {}: store error: {}", context.request_id, e.what());
            }
            if (mapped.status() == http::Status::internal_server_error) break;
            return error_response(request, mapped);
        } catch (const DavError& e) {
            if (static_cast<unsigned>(e.status()) >= 500) {
                spdlog::error("request {}: {}", context.request_id, e.what());
            }
            return error_response(request, e);
        } catch (const std::exception& e) {
            spdlog::error("request {}: internal error: {}", context.request_id, e.what());
            break;
        }
    }
    return http::make_response(request, http::Status::internal_server_error,
                               "Internal server error (request id " + context.request_id + ")\n");
}

}  // namespace cosmo::dav
