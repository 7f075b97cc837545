#pragma once
// SHA-256 for the hot paths (ETags of every PUT, the credential cache key of
// every request). OpenSSL 3 looks an algorithm up in its provider tables on
// every EVP_Digest(EVP_sha256()): about 20,000 instructions a call, against
// a few thousand for the digest of a calendar object. Here the algorithm is
// fetched once for the process.

#include <array>
#include <string_view>

struct evp_md_ctx_st;

namespace cosmo::core {

/// The SHA-256 digest of the concatenated parts.
class Sha256 {
public:
    static constexpr std::size_t kSize = 32;
    using Digest = std::array<unsigned char, kSize>;

    Sha256();
    ~Sha256();
    Sha256(const Sha256&) = delete;
    Sha256& operator=(const Sha256&) = delete;

    Sha256& update(std::string_view bytes);
    /// The digest of everything given to update(); call once.
    Digest finish();

    /// The digest of one string.
    static Digest of(std::string_view bytes) { return Sha256().update(bytes).finish(); }

private:
    evp_md_ctx_st* ctx_;
};

}  // namespace cosmo::core
