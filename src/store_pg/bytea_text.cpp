#include "bytea_text.hpp"

#include <bit>
#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace cosmo::store_pg::detail {

namespace {

int hex_nibble(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::optional<std::string> decode_hex(std::string_view text) {
    if (text.size() % 2 != 0) return std::nullopt;
    std::string out((text.size() - 2) / 2, '\0');
    for (std::size_t i = 2, o = 0; i < text.size(); i += 2, ++o) {
        const int high = hex_nibble(text[i]);
        const int low = hex_nibble(text[i + 1]);
        if (high < 0 || low < 0) return std::nullopt;
        out[o] = static_cast<char>((high << 4) | low);
    }
    return out;
}

bool is_octal(char c) { return c >= '0' && c <= '7'; }

/// Decodes the escape starting at the backslash `at` into `*o`; false when
/// it is neither a doubled backslash nor a backslash and three octal digits
/// (at most 377). Inlined into the loop: a calendar body has two escapes a
/// line (CR LF), so this runs about 40 times a body.
[[gnu::always_inline]] inline bool decode_one_escape(const char*& at, const char* end, char*& o) {
    if constexpr (std::endian::native == std::endian::little) {
        if (end - at >= 4) {
            // The three digits tested at once: '0'..'3' is 0x30..0x33 (mask
            // 0xFC), '0'..'7' is 0x30..0x37 (mask 0xF8).
            std::uint32_t word;
            std::memcpy(&word, at, 4);
            const std::uint32_t digits = word >> 8;  // at[1] in the lowest byte
            if ((digits & 0xF8F8FCu) == 0x303030u) {
                *o++ = static_cast<char>(((digits & 0x3u) << 6) | (((digits >> 8) & 0x7u) << 3) |
                                         ((digits >> 16) & 0x7u));
                at += 4;
                return true;
            }
        }
    }
    if (end - at >= 2 && at[1] == '\\') {
        *o++ = '\\';
        at += 2;
        return true;
    }
    if (end - at < 4 || at[1] < '0' || at[1] > '3' || !is_octal(at[2]) || !is_octal(at[3])) {
        return false;
    }
    *o++ = static_cast<char>(((at[1] - '0') << 6) | ((at[2] - '0') << 3) | (at[3] - '0'));
    at += 4;
    return true;
}

/// A calendar body is mostly printable ASCII with "\015\012" (CR LF)
/// ending every line of about 75 bytes. Copying sixteen bytes at a time and
/// stopping only at a backslash costs about one instruction a byte; the
/// memchr and memcpy call for every run between two escapes cost eight.
std::optional<std::string> decode_escape(std::string_view text) {
    // Never more bytes than escaped text, so the output can be sized once
    // and written through a pointer. The output pointer never runs ahead of
    // the input one, which keeps every 16-byte store inside the buffer.
    std::string out(text.size(), '\0');
    char* o = out.data();
    const char* at = text.data();
    const char* const end = at + text.size();
#if defined(__SSE2__)
    const __m128i backslash = _mm_set1_epi8('\\');
    while (end - at >= 16) {
        const __m128i chunk = _mm_loadu_si128(reinterpret_cast<const __m128i*>(at));
        _mm_storeu_si128(reinterpret_cast<__m128i*>(o), chunk);
        const auto mask =
            static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(chunk, backslash)));
        if (mask == 0) {
            at += 16;
            o += 16;
            continue;
        }
        const auto plain = static_cast<unsigned>(__builtin_ctz(mask));
        at += plain;
        o += plain;
        if (!decode_one_escape(at, end, o)) return std::nullopt;
    }
#endif
    while (at < end) {
        if (*at != '\\') {
            *o++ = *at++;
        } else if (!decode_one_escape(at, end, o)) {
            return std::nullopt;
        }
    }
    out.resize(static_cast<std::size_t>(o - out.data()));
    return out;
}

}  // namespace

std::optional<std::string> decode_bytea_text(std::string_view text) {
    if (text.size() >= 2 && text[0] == '\\' && text[1] == 'x') return decode_hex(text);
    return decode_escape(text);
}

std::string encode_bytea_hex(std::string_view bytes) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out(2 + 2 * bytes.size(), '\0');
    out[0] = '\\';
    out[1] = 'x';
    char* o = out.data() + 2;
    for (const unsigned char b : bytes) {
        *o++ = kHex[b >> 4];
        *o++ = kHex[b & 0xf];
    }
    return out;
}

}  // namespace cosmo::store_pg::detail
