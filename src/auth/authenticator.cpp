#include "cosmo/auth/authenticator.hpp"

#include <algorithm>
#include <memory>
#include <stdexcept>
#include <thread>

#include <spdlog/spdlog.h>

#include "cosmo/auth/basic_credentials.hpp"
#include "cosmo/auth/password.hpp"
#include "cosmo/core/digest.hpp"
#include "cosmo/core/random.hpp"
#include "cosmo/store/error.hpp"

namespace cosmo::auth {

using Clock = std::chrono::steady_clock;

namespace {

std::ptrdiff_t hash_slot_count(std::size_t configured) {
    const std::size_t n =
        configured != 0 ? configured : std::max(1u, std::thread::hardware_concurrency());
    return static_cast<std::ptrdiff_t>(n);
}

}  // namespace

Authenticator::Authenticator(store::Directory& directory, Options options)
    : directory_(directory),
      options_(std::move(options)),
      cache_secret_(core::random_bytes(32)),
      hash_slots_(hash_slot_count(options_.max_concurrent_hashes)) {}

bool Authenticator::verify_with_slot(std::string_view password, const std::string& hash) {
    // Waiting here holds the request's thread, as the derivation itself
    // would: with a slot per core the burst finishes as soon as without
    // one, each first login waits less on average, and memory stays at
    // one derivation's buffer a slot.
    struct Slot {
        Authenticator& self;
        explicit Slot(Authenticator& a) : self(a) {
            ++self.hashes_waiting_;
            self.hash_slots_.acquire();
            --self.hashes_waiting_;
            const std::size_t running = ++self.concurrent_hashes_;
            std::size_t peak = self.peak_concurrent_hashes_;
            while (running > peak &&
                   !self.peak_concurrent_hashes_.compare_exchange_weak(peak, running)) {
            }
        }
        ~Slot() {
            --self.concurrent_hashes_;
            self.hash_slots_.release();
        }
    } slot(*this);
    return verify_password(password, hash);
}

/// SHA-256 of the per-process secret, the user (with its length) and the
/// password: the cache's key, computed for every request. The one-shot
/// HMAC() of OpenSSL 3 cost about 21,000 instructions a call (algorithm
/// lookup, context set-up and teardown), a sixth of a whole GET; this costs
/// about 4,000. A keyed digest does the job: the key only finds an entry in
/// this process's memory, so what matters is that no other credentials
/// reach the same entry (SHA-256 collision resistance) and that a memory
/// dump is not a table of unsalted password digests (the secret).
std::string Authenticator::cache_key(std::string_view user, std::string_view password) const {
    // The user's length first: no (user, password) pair reads as another
    // (a separator byte could itself be part of a decoded Basic user-id).
    const std::uint64_t user_size = user.size();
    const core::Sha256::Digest digest =
        core::Sha256()
            .update(cache_secret_)
            .update(std::string_view(reinterpret_cast<const char*>(&user_size), sizeof user_size))
            .update(user)
            .update(password)
            .finish();
    return std::string(reinterpret_cast<const char*>(digest.data()), digest.size());
}

bool Authenticator::cached(const std::string& key, Clock::time_point now) {
    CacheEntry entry;
    {
        std::lock_guard lock(mutex_);
        auto it = cache_.find(key);
        if (it == cache_.end()) {
            return false;
        }
        if (it->second.expires > now) {
            return true;
        }
        if (it->second.verified_until <= now) {
            cache_.erase(it);
            return false;
        }
        entry = it->second;
    }
    // The short TTL has passed: ask the directory whether the user is still
    // enabled with the same stored hash. That is one indexed lookup; scrypt
    // runs again only if the password (hash) changed.
    const auto user = directory_.find_user(entry.user);
    std::lock_guard lock(mutex_);
    auto it = cache_.find(key);
    if (it == cache_.end()) {
        return false;
    }
    if (!user || user->disabled || user->password_hash != entry.password_hash) {
        cache_.erase(it);
        return false;
    }
    it->second.expires = now + options_.cache_ttl;
    return true;
}

void Authenticator::remember(const std::string& key, const std::string& user,
                             const std::string& password_hash, Clock::time_point now) {
    std::lock_guard lock(mutex_);
    if (cache_.size() >= options_.cache_capacity) {
        std::erase_if(cache_, [&](const auto& kv) { return kv.second.verified_until <= now; });
        if (cache_.size() >= options_.cache_capacity) {
            cache_.clear();
        }
    }
    cache_[key] = CacheEntry{user, password_hash, now + options_.cache_ttl,
                             now + std::max(options_.verified_lifetime, options_.cache_ttl)};
}

void Authenticator::record_failure(const std::string& throttle_key, Clock::time_point now) {
    std::lock_guard lock(mutex_);
    if (failures_.size() > 100000) {
        std::erase_if(failures_, [&](const auto& kv) {
            return kv.second.blocked_until <= now &&
                   kv.second.window_start + options_.failure_window <= now;
        });
    }
    auto& f = failures_[throttle_key];
    if (f.window_start + options_.failure_window <= now) {
        f.count = 0;
        f.window_start = now;
    }
    if (++f.count >= options_.max_failures) {
        f.blocked_until = now + options_.throttle_time;
        f.count = 0;
        f.window_start = now;
    }
}

Authenticator::Verdict Authenticator::verify_once(const std::string& key, const std::string& user,
                                                 const std::string& password,
                                                 Clock::time_point now) {
    std::shared_ptr<Flight> flight;
    bool leader = false;
    {
        std::lock_guard lock(mutex_);
        auto [it, inserted] = flights_.try_emplace(key);
        if (inserted) {
            it->second = std::make_shared<Flight>();
            leader = true;
        }
        flight = it->second;
    }
    if (!leader) {
        // A burst of first requests of one user (a client opening several
        // connections) costs one scrypt derivation, not one per request.
        std::unique_lock lock(flight->mutex);
        flight->done_cv.wait(lock, [&] { return flight->done; });
        if (flight->error) {
            std::rethrow_exception(flight->error);
        }
        return flight->verdict;
    }
    Verdict verdict;
    std::exception_ptr error;
    try {
        const auto found = directory_.find_user(user);
        if (found && !found->disabled) {
            ++password_verifications_;
            verdict.ok = verify_with_slot(password, found->password_hash);
        }
        if (verdict.ok) {
            verdict.user = found->name;
            // Cached before the flight ends: a request arriving now either
            // joins the flight or finds the cache, never verifies again.
            remember(key, found->name, found->password_hash, now);
        } else {
            verdict.reason = !found            ? "unknown-user"
                             : found->disabled ? "disabled"
                                               : "bad-password";
        }
    } catch (...) {
        error = std::current_exception();
    }
    {
        std::lock_guard lock(mutex_);
        flights_.erase(key);
    }
    {
        std::lock_guard lock(flight->mutex);
        flight->done = true;
        flight->verdict = verdict;
        flight->error = error;
    }
    flight->done_cv.notify_all();
    if (error) {
        std::rethrow_exception(error);
    }
    return verdict;
}

Result Authenticator::authenticate(std::string_view authorization, const std::string& client_ip) {
    auto credentials = parse_basic(authorization);
    if (!credentials) {
        return {authorization.empty() ? Outcome::kNoCredentials : Outcome::kBadCredentials, "", {}};
    }
    const auto now = Clock::now();
    const std::string key = cache_key(credentials->user, credentials->password);
    // A client holding the right password is never throttled: a verified
    // pair in the cache passes even while its (user, IP) pair is blocked.
    if (cached(key, now)) {
        return {Outcome::kOk, credentials->user, {}};
    }
    const std::string throttle_key = credentials->user + '\n' + client_ip;
    {
        std::lock_guard lock(mutex_);
        auto it = failures_.find(throttle_key);
        if (it != failures_.end() && it->second.blocked_until > now) {
            auto left = std::chrono::duration_cast<std::chrono::seconds>(
                it->second.blocked_until - now);
            return {Outcome::kThrottled, credentials->user, left + std::chrono::seconds(1)};
        }
    }
    const Verdict verdict = verify_once(key, credentials->user, credentials->password, now);
    if (!verdict.ok) {
        // One line per failed request (waiters of a shared verification
        // too), in a fixed shape fail2ban can match:
        //   auth failure: user=<name> ip=<address> reason=<why>
        // and each counts against its own (user, IP) pair.
        spdlog::warn("auth failure: user={} ip={} reason={}", credentials->user, client_ip,
                     verdict.reason);
        record_failure(throttle_key, now);
        return {Outcome::kBadCredentials, credentials->user, {}};
    }
    {
        std::lock_guard lock(mutex_);
        failures_.erase(throttle_key);
    }
    return {Outcome::kOk, verdict.user, {}};
}

AuthHandler::AuthHandler(Authenticator& authenticator, const http::Handler& inner,
                         std::function<bool(const http::Request&)> public_request)
    : authenticator_(authenticator), inner_(inner), public_request_(std::move(public_request)) {}

http::Response AuthHandler::handle(http::Request& request, http::RequestContext& context) const {
    if (public_request_ && request[http::Field::authorization].empty() &&
        public_request_(request)) {
        return inner_.handle(request, context);
    }
    Result result;
    try {
        result = authenticator_.authenticate(request[http::Field::authorization],
                                             context.client_ip);
    } catch (const store::Error& e) {
        // The directory is unreachable and the credentials are not cached:
        // neither right nor wrong, so 503 (the load balancer sees /readyz
        // fail too), never 401 or 500.
        spdlog::warn("rid={} authentication unavailable: {}", context.request_id, e.what());
        auto res = http::make_response(request, http::Status::service_unavailable,
                                       "temporarily unavailable, retry later\n");
        res.set(http::Field::retry_after, "5");
        return res;
    }
    switch (result.outcome) {
        case Outcome::kOk:
            context.user = result.user;
            return inner_.handle(request, context);
        case Outcome::kThrottled: {
            auto res = http::make_response(request, http::Status::too_many_requests,
                                           "too many failed logins; retry later\n");
            res.set(http::Field::retry_after, std::to_string(result.retry_after.count()));
            return res;
        }
        case Outcome::kNoCredentials:
        case Outcome::kBadCredentials:
            break;
    }
    auto res = http::make_response(request, http::Status::unauthorized,
                                   "authentication required\n");
    res.set(http::Field::www_authenticate,
            "Basic realm=\"" + authenticator_.options().realm + "\", charset=\"UTF-8\"");
    return res;
}

}  // namespace cosmo::auth
