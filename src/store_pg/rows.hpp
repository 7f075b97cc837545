#pragma once
/// Row -> value conversions for the column lists in queries.cpp.

#include <cstring>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "cosmo/store/types.hpp"

namespace cosmo::store_pg::detail {

/// Microseconds since the epoch -> Timestamp.
inline store::Timestamp from_micros(std::int64_t us) {
    return store::Timestamp(std::chrono::duration_cast<store::Timestamp::duration>(
        std::chrono::microseconds(us)));
}

/// A bytea column as bytes, decoded straight into the string from either
/// text format PostgreSQL sends (pqxx::binarystring would decode into a
/// malloc'd buffer with PQunescapeBytea and then copy it: twice the work
/// for every body of a multiget). The pool sets bytea_output = escape: a
/// calendar body is nearly all printable ASCII, which that format sends
/// as it is (hex doubles every byte, on the socket and in the decoder).
///  - hex: "\\x" then two hex digits per byte;
///  - escape: printable bytes as themselves, a backslash as two, any
///    other byte as a backslash and three octal digits.
inline std::string bytes_of(const pqxx::field& field) {
    const char* text = field.c_str();
    const std::size_t size = field.size();
    const auto fallback = [&] { return pqxx::binarystring(field).str(); };
    if (size >= 2 && text[0] == '\\' && text[1] == 'x') {
        if (size % 2 != 0) return fallback();
        const auto nibble = [](char c) -> int {
            if (c >= '0' && c <= '9') return c - '0';
            if (c >= 'a' && c <= 'f') return c - 'a' + 10;
            if (c >= 'A' && c <= 'F') return c - 'A' + 10;
            return -1;
        };
        std::string out((size - 2) / 2, '\0');
        for (std::size_t i = 2, o = 0; i < size; i += 2, ++o) {
            const int high = nibble(text[i]);
            const int low = nibble(text[i + 1]);
            if (high < 0 || low < 0) return fallback();  // not hex after all
            out[o] = static_cast<char>((high << 4) | low);
        }
        return out;
    }
    // The bytes are never more than their escaped text: size once, then
    // write through a pointer (a CR LF on every line is two escapes, and
    // an append each cost more than the copying).
    std::string out(size, '\0');
    char* o = out.data();
    const char* const end = text + size;
    const auto octal = [](char c) { return c >= '0' && c <= '7'; };
    for (const char* at = text; at < end;) {
        const auto* slash = static_cast<const char*>(std::memchr(at, '\\', end - at));
        if (slash == nullptr) {
            std::memcpy(o, at, end - at);
            o += end - at;
            break;
        }
        std::memcpy(o, at, slash - at);
        o += slash - at;
        if (end - slash >= 2 && slash[1] == '\\') {
            *o++ = '\\';
            at = slash + 2;
            continue;
        }
        if (end - slash < 4 || !octal(slash[1]) || !octal(slash[2]) || !octal(slash[3]) ||
            slash[1] > '3') {
            return fallback();  // not the escape format after all
        }
        *o++ = static_cast<char>(((slash[1] - '0') << 6) | ((slash[2] - '0') << 3) |
                                 (slash[3] - '0'));
        at = slash + 4;
    }
    out.resize(static_cast<std::size_t>(o - out.data()));
    return out;
}

/// A PostgreSQL text[] literal: every element double-quoted, with '"' and
/// '\' escaped (PostgreSQL manual §8.15.6). The value still travels as a
/// parameter, never inside the SQL text.
inline std::string text_array(const std::vector<std::string>& items) {
    std::string out = "{";
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (i > 0) {
            out += ',';
        }
        out += '"';
        for (const char c : items[i]) {
            if (c == '"' || c == '\\') {
                out += '\\';
            }
            out += c;
        }
        out += '"';
    }
    return out + "}";
}

/// COSMO_USER_COLS.
inline store::User user_from(const pqxx::row& r) {
    store::User u;
    u.id = r[0].as<std::int64_t>();
    u.name = r[1].as<std::string>();
    u.email = r[2].as<std::string>();
    u.password_hash = r[3].as<std::string>();
    u.disabled = r[4].as<bool>();
    u.shard_id = r[5].as<store::ShardId>();
    u.epoch = r[6].as<std::int64_t>();
    u.created = from_micros(r[7].as<std::int64_t>());
    return u;
}

/// COSMO_SHARD_COLS.
inline store::Shard shard_from(const pqxx::row& r) {
    store::Shard s;
    s.id = r[0].as<store::ShardId>();
    s.name = r[1].as<std::string>();
    s.dsn = r[2].as<std::string>();
    s.state = r[3].as<std::string>();
    s.weight = r[4].as<int>();
    s.users = r[5].as<std::int64_t>();
    return s;
}

/// COSMO_COLL_COLS.
inline store::Resource collection_from(const pqxx::row& r) {
    store::Resource res;
    res.is_collection = true;
    res.id = r[0].as<std::int64_t>();
    res.collection_id = res.id;
    res.path = r[1].as<std::string>();
    res.kind = static_cast<store::CollectionKind>(r[2].as<int>());
    res.revision = r[3].as<std::int64_t>();
    res.created = from_micros(r[4].as<std::int64_t>());
    res.modified = from_micros(r[5].as<std::int64_t>());
    return res;
}

/// COSMO_OBJ_COLS.
inline store::Resource object_from(const pqxx::row& r) {
    store::Resource res;
    res.is_collection = false;
    res.id = r[0].as<std::int64_t>();
    res.collection_id = r[1].as<std::int64_t>();
    res.path = r[2].as<std::string>();
    res.content_type = r[3].as<std::string>();
    res.etag = r[4].as<std::string>();
    res.content_length = r[5].as<std::int64_t>();
    res.created = from_micros(r[6].as<std::int64_t>());
    res.modified = from_micros(r[7].as<std::int64_t>());
    return res;
}

/// COSMO_LOCK_COLS; a NULL expiry is an infinite lock.
inline store::Lock lock_from(const pqxx::row& r) {
    store::Lock l;
    l.token = r[0].as<std::string>();
    l.root = r[1].as<std::string>();
    l.exclusive = r[2].as<bool>();
    l.depth_infinity = r[3].as<bool>();
    l.owner_xml = r[4].as<std::string>();
    l.principal = r[5].as<std::string>();
    l.timeout_seconds = r[6].as<std::int64_t>();
    l.expires = r[7].is_null() ? store::Timestamp::max() : from_micros(r[7].as<std::int64_t>());
    return l;
}

}  // namespace cosmo::store_pg::detail
