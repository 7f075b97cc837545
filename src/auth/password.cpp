#include "cosmo/auth/password.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>

#include <charconv>
#include <cstdint>
#include <stdexcept>
#include <vector>

#include "cosmo/core/random.hpp"

namespace cosmo::auth {

namespace {

constexpr std::size_t kSaltBytes = 16;
constexpr std::size_t kKeyBytes = 32;

std::string base64(const std::string& bytes) {
    std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
    int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                            reinterpret_cast<const unsigned char*>(bytes.data()),
                            static_cast<int>(bytes.size()));
    out.resize(static_cast<std::size_t>(n));
    return out;
}

bool unbase64(std::string_view text, std::string& out) {
    if (text.empty() || text.size() % 4 != 0) {
        return false;
    }
    out.assign(3 * text.size() / 4 + 1, '\0');
    int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                            reinterpret_cast<const unsigned char*>(text.data()),
                            static_cast<int>(text.size()));
    if (n < 0) {
        return false;
    }
    std::size_t len = static_cast<std::size_t>(n);
    // EVP_DecodeBlock counts padding as zero bytes; drop them.
    if (text.ends_with("==")) {
        len -= 2;
    } else if (text.ends_with("=")) {
        len -= 1;
    }
    out.resize(len);
    return true;
}

std::string derive(std::string_view password, const std::string& salt, const ScryptParams& p,
                   std::size_t key_len) {
    std::string key(key_len, '\0');
    const std::uint64_t n = std::uint64_t{1} << p.log2_n;
    // Memory bound: 128 * r * N plus slack; OpenSSL refuses by default above 32 MiB.
    const std::uint64_t max_mem = 128ULL * static_cast<std::uint64_t>(p.r) * n * 2 + (1 << 20);
    if (EVP_PBE_scrypt(password.data(), password.size(),
                       reinterpret_cast<const unsigned char*>(salt.data()), salt.size(), n,
                       static_cast<std::uint64_t>(p.r), static_cast<std::uint64_t>(p.p),
                       max_mem, reinterpret_cast<unsigned char*>(key.data()), key.size()) != 1) {
        throw std::runtime_error("scrypt failed");
    }
    return key;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
    std::vector<std::string_view> parts;
    std::size_t start = 0;
    for (;;) {
        auto pos = s.find(sep, start);
        parts.push_back(s.substr(start, pos == std::string_view::npos ? pos : pos - start));
        if (pos == std::string_view::npos) {
            return parts;
        }
        start = pos + 1;
    }
}

bool parse_int(std::string_view s, int& out) {
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc{} && ptr == s.data() + s.size();
}

}  // namespace

std::string hash_password(std::string_view password, ScryptParams params) {
    std::string salt = core::random_bytes(kSaltBytes);
    std::string key = derive(password, salt, params, kKeyBytes);
    return "scrypt$" + std::to_string(params.log2_n) + "$" + std::to_string(params.r) + "$" +
           std::to_string(params.p) + "$" + base64(salt) + "$" + base64(key);
}

bool verify_password(std::string_view password, std::string_view encoded) {
    auto parts = split(encoded, '$');
    if (parts.size() != 6 || parts[0] != "scrypt") {
        return false;
    }
    ScryptParams p;
    if (!parse_int(parts[1], p.log2_n) || !parse_int(parts[2], p.r) ||
        !parse_int(parts[3], p.p) || p.log2_n < 1 || p.log2_n > 22 || p.r < 1 || p.r > 32 ||
        p.p < 1 || p.p > 16) {
        return false;
    }
    std::string salt;
    std::string expected;
    if (!unbase64(parts[4], salt) || !unbase64(parts[5], expected) || expected.empty()) {
        return false;
    }
    std::string actual;
    try {
        actual = derive(password, salt, p, expected.size());
    } catch (const std::exception&) {
        return false;
    }
    return CRYPTO_memcmp(actual.data(), expected.data(), expected.size()) == 0;
}

}  // namespace cosmo::auth
