#include "cosmo/core/random.hpp"

#include <sys/random.h>

#include <cstdint>
#include <cstring>
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

std::string log_id() {
    thread_local std::uint64_t state = [] {
        std::uint64_t seed = 0;
        const std::string bytes = random_bytes(sizeof seed);
        std::memcpy(&seed, bytes.data(), sizeof seed);
        return seed;
    }();
    // SplitMix64 (Steele, Lea, Flood 2014): a bijection of the counter, so
    // one thread never repeats an id; threads start at random points.
    state += 0x9e3779b97f4a7c15ULL;
    std::uint64_t z = state;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out(16, '0');
    for (int i = 15; i >= 0; --i, z >>= 4) {
        out[static_cast<std::size_t>(i)] = kDigits[z & 0xf];
    }
    return out;
}

}  // namespace cosmo::core
