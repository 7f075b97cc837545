#include "cosmo/core/random.hpp"

#include <sys/random.h>

#include <cstdint>
#include <cstring>
#include <stdexcept>

namespace cosmo::core {

namespace {

/// Appends the two lower-case hex digits of each byte.
void append_hex(std::string& out, const unsigned char* bytes, std::size_t n) {
    static constexpr char kDigits[] = "0123456789abcdef";
    for (std::size_t i = 0; i < n; ++i) {
        out.push_back(kDigits[bytes[i] >> 4]);
        out.push_back(kDigits[bytes[i] & 0xf]);
    }
}

}  // namespace

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
    const std::string bytes = random_bytes(n);
    std::string out;
    out.reserve(2 * n);
    append_hex(out, reinterpret_cast<const unsigned char*>(bytes.data()), n);
    return out;
}

std::string random_uuid() {
    std::string b = random_bytes(16);
    b[6] = static_cast<char>((b[6] & 0x0f) | 0x40);  // version 4
    b[8] = static_cast<char>((b[8] & 0x3f) | 0x80);  // RFC 4122 variant
    std::string out;
    for (int i = 0; i < 16; ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10) {
            out.push_back('-');
        }
        append_hex(out, reinterpret_cast<const unsigned char*>(&b[i]), 1);
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
    unsigned char bytes[8];
    for (int i = 7; i >= 0; --i, z >>= 8) {
        bytes[i] = static_cast<unsigned char>(z & 0xff);
    }
    std::string out;
    out.reserve(16);
    append_hex(out, bytes, sizeof bytes);
    return out;
}

}  // namespace cosmo::core
