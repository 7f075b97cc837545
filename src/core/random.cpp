#include "cosmo/core/random.hpp"

#include <sys/random.h>

#include <stdexcept>

namespace cosmo::core {

std::string random_bytes(std::size_t n) {
    std::string out(n, '\0');
    std::size_t filled = 0;
    while (filled < n) {
        ssize_t got = ::getrandom(out.data() + filled, n - filled, 0);
        if (got < 0) {
            throw std::runtime_error("getrandom failed");
        }
        filled += static_cast<std::size_t>(got);
    }
    return out;
}

std::string random_hex(std::size_t n) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string bytes = random_bytes(n);
    std::string out;
    out.reserve(2 * n);
    for (unsigned char c : bytes) {
        out.push_back(kDigits[c >> 4]);
        out.push_back(kDigits[c & 0xf]);
    }
    return out;
}

std::string random_uuid() {
    std::string b = random_bytes(16);
    b[6] = static_cast<char>((b[6] & 0x0f) | 0x40);  // version 4
    b[8] = static_cast<char>((b[8] & 0x3f) | 0x80);  // RFC 4122 variant
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    for (int i = 0; i < 16; ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10) {
            out.push_back('-');
        }
        auto c = static_cast<unsigned char>(b[i]);
        out.push_back(kDigits[c >> 4]);
        out.push_back(kDigits[c & 0xf]);
    }
    return out;
}

}  // namespace cosmo::core
