#pragma once
/// HTTP Basic authentication against the directory, with a cache of
/// verified credentials and throttling of repeated failures.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <condition_variable>
#include <cstddef>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <semaphore>
#include <string>
#include <string_view>
#include <unordered_map>

#include "cosmo/http/message.hpp"
#include "cosmo/store/directory.hpp"

namespace cosmo::auth {

struct Options {
    std::string realm = "Cosmo";
    /// How long a verified user+password pair is believed without asking
    /// the directory again; a disabled user or changed password takes
    /// effect within this time on every app server.
    std::chrono::seconds cache_ttl{60};
    /// How long a scrypt verification stays good. After cache_ttl the
    /// directory is asked again (one cheap lookup) and, while the user is
    /// enabled and the stored hash is the one that was verified, the pair
    /// stays valid without running scrypt again, up to this lifetime. So
    /// revocation still takes effect within cache_ttl, and a client polling
    /// every few minutes costs one scrypt per lifetime, not one per poll.
    std::chrono::seconds verified_lifetime{24 * 3600};
    std::size_t cache_capacity = 100000;
    /// Failures per (user, client IP) within failure_window before that pair
    /// is throttled for throttle_time.
    int max_failures = 5;
    std::chrono::seconds failure_window{300};
    std::chrono::seconds throttle_time{60};
    /// scrypt derivations allowed to run at once; 0 means one per core.
    /// Each takes 32 MiB for about 74 ms of CPU, and the allocator keeps
    /// freed memory for reuse: with every request thread free to derive, a
    /// burst of first logins (a restart, a load test) left the server 32 MiB
    /// a thread larger. More derivations than cores finish no sooner.
    std::size_t max_concurrent_hashes = 0;
};

enum class Outcome { kOk, kNoCredentials, kBadCredentials, kThrottled };

struct Result {
    Outcome outcome = Outcome::kNoCredentials;
    std::string user;                       ///< set when kOk (and, for logs, when known)
    std::chrono::seconds retry_after{0};    ///< set when kThrottled
};

/// Thread-safe. Blocking (directory lookups, scrypt): worker threads only.
class Authenticator {
public:
    Authenticator(store::Directory& directory, Options options);

    /// Checks an Authorization header value from client_ip.
    Result authenticate(std::string_view authorization, const std::string& client_ip);

    const Options& options() const { return options_; }

    /// Password hashes computed so far (scrypt runs): for metrics and tests.
    std::uint64_t password_verifications() const { return password_verifications_; }
    /// The most scrypt derivations that ran at once so far: for tests.
    std::size_t peak_concurrent_hashes() const { return peak_concurrent_hashes_; }
    /// Requests waiting now for a derivation slot: for metrics.
    std::size_t hashes_waiting() const { return hashes_waiting_; }

private:
    struct CacheEntry {
        std::string user;
        std::string password_hash;  ///< the directory's hash that was verified
        std::chrono::steady_clock::time_point expires;         ///< trust without asking
        std::chrono::steady_clock::time_point verified_until;  ///< re-check hash, no scrypt
    };
    /// What one directory lookup + scrypt verification concluded.
    struct Verdict {
        bool ok = false;
        std::string user;            ///< the directory's spelling of the name (when ok)
        const char* reason = "";     ///< for the failure log line (when !ok)
    };
    /// One verification in progress for a cache key: concurrent misses for
    /// the same (user, password) wait for it instead of running scrypt again.
    struct Flight {
        std::mutex mutex;
        std::condition_variable done_cv;
        bool done = false;
        Verdict verdict;
        std::exception_ptr error;  ///< the directory was unreachable
    };
    struct Failures {
        int count = 0;
        std::chrono::steady_clock::time_point window_start;
        std::chrono::steady_clock::time_point blocked_until;
    };

    std::string cache_key(std::string_view user, std::string_view password) const;
    /// True when key is in the cache and still trusted, after re-checking
    /// the directory when its short TTL has passed (see verified_lifetime).
    bool cached(const std::string& key, std::chrono::steady_clock::time_point now);
    void remember(const std::string& key, const std::string& user,
                  const std::string& password_hash, std::chrono::steady_clock::time_point now);
    void record_failure(const std::string& throttle_key, std::chrono::steady_clock::time_point now);
    /// verify_password within one of max_concurrent_hashes slots.
    bool verify_with_slot(std::string_view password, const std::string& hash);
    /// Looks the user up and verifies the password once per key at a time
    /// (single flight); a success is remembered in the cache before the
    /// waiters are released. Rethrows the leader's store::Error in every waiter.
    Verdict verify_once(const std::string& key, const std::string& user,
                        const std::string& password, std::chrono::steady_clock::time_point now);

    store::Directory& directory_;
    Options options_;
    std::string cache_secret_;  ///< per-process key: the cache never holds a password or plain hash
    std::atomic<std::uint64_t> password_verifications_{0};
    std::counting_semaphore<> hash_slots_;  ///< max_concurrent_hashes
    std::atomic<std::size_t> concurrent_hashes_{0};
    std::atomic<std::size_t> hashes_waiting_{0};
    std::atomic<std::size_t> peak_concurrent_hashes_{0};
    std::mutex mutex_;
    std::unordered_map<std::string, CacheEntry> cache_;
    std::unordered_map<std::string, Failures> failures_;
    std::unordered_map<std::string, std::shared_ptr<Flight>> flights_;  ///< by cache key
};

/// Puts authentication in front of another handler: 401 with
/// WWW-Authenticate without valid credentials, 429 with Retry-After when
/// throttled, else sets context.user and calls the inner handler.
class AuthHandler : public http::Handler {
public:
    /// Requests for which public_request returns true and that carry no
    /// Authorization header reach the inner handler anonymously (an empty
    /// context.user): the RFC 6764 well-known redirect, which discloses
    /// nothing and which clients probe before they send credentials.
    AuthHandler(Authenticator& authenticator, const http::Handler& inner,
                std::function<bool(const http::Request&)> public_request = {});
    http::Response handle(http::Request& request, http::RequestContext& context) const override;

private:
    Authenticator& authenticator_;
    const http::Handler& inner_;
    std::function<bool(const http::Request&)> public_request_;
};

}  // namespace cosmo::auth
