// decode_bytea_text against an encoder written from the PostgreSQL manual
// (§8.4.1 hex, §8.4.2 escape: a backslash doubled, bytes below 0x20 and
// above 0x7e as a backslash and three octal digits). The 16-byte fast path
// must agree with the byte loop at every offset and on every tail length.

#include <gtest/gtest.h>

#include <cstdio>
#include <random>

#include "../../../src/store_pg/bytea_text.hpp"

namespace cosmo::test {
namespace {

using store_pg::detail::decode_bytea_text;
using store_pg::detail::encode_bytea_hex;

std::string escape_format(const std::string& bytes) {
    std::string out;
    for (const char c : bytes) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '\\') {
            out += "\\\\";
        } else if (u < 0x20 || u > 0x7e) {
            char octal[5];
            std::snprintf(octal, sizeof octal, "\\%03o", u);
            out += octal;
        } else {
            out += c;
        }
    }
    return out;
}

std::string hex_format(const std::string& bytes) {
    static const char* const kDigits = "0123456789abcdef";
    std::string out = "\\x";
    for (const char c : bytes) {
        const auto u = static_cast<unsigned char>(c);
        out += kDigits[u >> 4];
        out += kDigits[u & 15];
    }
    return out;
}

void expect_round_trip(const std::string& bytes) {
    const auto escaped = decode_bytea_text(escape_format(bytes));
    ASSERT_TRUE(escaped) << escape_format(bytes);
    EXPECT_EQ(*escaped, bytes) << escape_format(bytes);
    const auto hexed = decode_bytea_text(hex_format(bytes));
    ASSERT_TRUE(hexed) << hex_format(bytes);
    EXPECT_EQ(*hexed, bytes);
}

TEST(ByteaText, EveryByteValueAtEveryOffsetOfALongText) {
    for (int value = 0; value < 256; ++value) {
        for (std::size_t at = 0; at < 40; ++at) {
            std::string bytes(40, 'a');
            bytes[at] = static_cast<char>(value);
            expect_round_trip(bytes);
        }
    }
}

TEST(ByteaText, EveryLengthAroundTheSixteenByteChunks) {
    for (std::size_t length = 0; length <= 70; ++length) {
        std::string plain;
        std::string backslashes;
        for (std::size_t i = 0; i < length; ++i) {
            plain += static_cast<char>('A' + i % 26);
            backslashes += i % 3 == 0 ? '\\' : 'x';
        }
        expect_round_trip(plain);
        expect_round_trip(backslashes);
    }
}

TEST(ByteaText, RandomBytesAndACalendarBody) {
    std::mt19937 random(7);
    for (int round = 0; round < 500; ++round) {
        std::string bytes(random() % 300, '\0');
        for (char& c : bytes) c = static_cast<char>(random() % 256);
        expect_round_trip(bytes);
    }
    std::string body = "BEGIN:VCALENDAR\r\n";
    for (int i = 0; i < 40; ++i) {
        body += "SUMMARY:Caf\xc3\xa9 \\, meeting \xe2\x82\xac " + std::to_string(i) + "\r\n";
    }
    expect_round_trip(body + "END:VCALENDAR\r\n");
}

TEST(ByteaText, TextInNeitherFormatIsRefused) {
    for (const std::string bad :
         {"\\", "abc\\", "\\4", "\\12", "\\400", "\\8aa", "\\1a2", "0123456789abcdef\\09",
          "\\x1", "\\xzz", "\\x0g"}) {
        EXPECT_FALSE(decode_bytea_text(bad)) << bad;
    }
    EXPECT_EQ(decode_bytea_text(""), std::string());
    EXPECT_EQ(decode_bytea_text("\\x"), std::string());
}

TEST(ByteaText, HexEncodingOfEveryByteValueAsTheManualWritesIt) {
    std::string bytes;
    for (int b = 0; b < 256; ++b) bytes += static_cast<char>(b);
    EXPECT_EQ(encode_bytea_hex(bytes), hex_format(bytes));
    EXPECT_EQ(decode_bytea_text(encode_bytea_hex(bytes)), bytes);
    EXPECT_EQ(encode_bytea_hex(""), "\\x");
}

}  // namespace
}  // namespace cosmo::test
