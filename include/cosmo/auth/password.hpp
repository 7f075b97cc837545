#pragma once
/// Password hashing with scrypt (OpenSSL 3), a memory-hard KDF.
/// Encoded form: "scrypt$<log2 N>$<r>$<p>$<salt base64>$<key base64>".

#include <string>
#include <string_view>

namespace cosmo::auth {

struct ScryptParams {
    int log2_n = 15;  ///< N = 32768: 32 MiB and ~0.1 s per hash
    int r = 8;
    int p = 1;
};

/// A new salted hash of password.
std::string hash_password(std::string_view password, ScryptParams params = {});

/// True when password matches the encoded hash; compares in constant time.
/// A malformed encoding never matches.
bool verify_password(std::string_view password, std::string_view encoded);

}  // namespace cosmo::auth
