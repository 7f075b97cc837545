#include "cosmo/core/digest.hpp"

#include <openssl/evp.h>

#include <stdexcept>

namespace cosmo::core {

namespace {

const EVP_MD* sha256_algorithm() {
    static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    return md;
}

[[noreturn]] void unavailable() { throw std::runtime_error("SHA-256 is not available from OpenSSL"); }

}  // namespace

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) {
    const EVP_MD* md = sha256_algorithm();
    if (ctx_ == nullptr || md == nullptr || EVP_DigestInit_ex2(ctx_, md, nullptr) != 1) {
        EVP_MD_CTX_free(ctx_);
        unavailable();
    }
}

Sha256::~Sha256() { EVP_MD_CTX_free(ctx_); }

Sha256& Sha256::update(std::string_view bytes) {
    if (EVP_DigestUpdate(ctx_, bytes.data(), bytes.size()) != 1) {
        unavailable();
    }
    return *this;
}

Sha256::Digest Sha256::finish() {
    Digest out{};
    unsigned int length = 0;
    if (EVP_DigestFinal_ex(ctx_, out.data(), &length) != 1 || length != kSize) {
        unavailable();
    }
    return out;
}

}  // namespace cosmo::core
