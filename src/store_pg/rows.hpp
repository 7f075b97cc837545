#pragma once
/// Row -> value conversions for the column lists in queries.cpp.

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <string_view>
#include <vector>

#include "bytea_text.hpp"
#include "cosmo/store/types.hpp"

namespace cosmo::store_pg::detail {

/// Microseconds since the epoch -> Timestamp.
inline store::Timestamp from_micros(std::int64_t us) {
    return store::Timestamp(std::chrono::duration_cast<store::Timestamp::duration>(
        std::chrono::microseconds(us)));
}

/// A bytea column as bytes, decoded straight into the string from either
/// text format PostgreSQL sends (bytea_text.hpp; pqxx::binarystring would
/// decode into a malloc'd buffer with PQunescapeBytea and then copy it:
/// twice the work for every body of a multiget). The pool sets
/// bytea_output = escape: a calendar body is nearly all printable ASCII,
/// which that format sends as it is (hex doubles every byte, on the socket
/// and in the decoder).
inline std::string bytes_of(const pqxx::field& field) {
    if (std::optional<std::string> bytes = decode_bytea_text({field.c_str(), field.size()})) {
        return std::move(*bytes);
    }
    return pqxx::binarystring(field).str();  // neither format: libpq judges
}

/// A NOT NULL integer column, with std::from_chars. (libpqxx 6's
/// field::as<long> makes a call per digit; measured under callgrind the two
/// cost about the same, 300 instructions for a 16-digit timestamp, so this
/// is for a clear error, not for speed.)
inline std::int64_t int64_of_text(std::string_view text) {
    std::int64_t value = 0;
    const auto [stop, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || stop != text.data() + text.size()) {
        throw pqxx::conversion_error("Not an integer: " + std::string(text));
    }
    return value;
}

inline std::int64_t int64_of(const pqxx::field& field) {
    if (field.is_null()) throw pqxx::conversion_error("NULL where an integer was expected");
    return int64_of_text({field.c_str(), field.size()});
}

/// A NOT NULL timestamp column as microseconds since the epoch. The queries
/// send `extract(epoch from ts)`: PostgreSQL (14 and later) computes it
/// from the stored integer as a numeric with exactly six decimals,
/// "1796418113.336947", which is exact. Multiplying by a million and casting
/// to bigint in SQL, as before, took two more numeric operations per value:
/// a third of a 50-object multiget read's PostgreSQL time
/// (docs/performance.md, "Tenth pass"). A plain integer (the write
/// functions' bigint microseconds) is read as it is.
inline std::int64_t micros_of_text(std::string_view text) {
    const std::size_t dot = text.find('.');
    if (dot == std::string_view::npos) return int64_of_text(text);
    const bool negative = text.starts_with('-');
    const std::string_view whole = text.substr(negative ? 1 : 0, dot - (negative ? 1 : 0));
    const std::string_view fraction = text.substr(dot + 1);
    // Unsigned, so that from_chars takes no sign of its own.
    const auto digits = [](std::string_view s, std::uint64_t& value) {
        const auto [stop, error] = std::from_chars(s.data(), s.data() + s.size(), value);
        return !s.empty() && error == std::errc() && stop == s.data() + s.size();
    };
    std::uint64_t seconds = 0;
    std::uint64_t micros = 0;
    if (!digits(whole, seconds) || fraction.size() > 6 || !digits(fraction, micros) ||
        seconds > static_cast<std::uint64_t>(INT64_MAX / 1000000 - 1)) {
        throw pqxx::conversion_error("Not epoch seconds: " + std::string(text));
    }
    for (std::size_t i = fraction.size(); i < 6; ++i) micros *= 10;
    const auto value = static_cast<std::int64_t>(seconds * 1000000 + micros);
    return negative ? -value : value;
}

inline std::int64_t micros_of(const pqxx::field& field) {
    if (field.is_null()) throw pqxx::conversion_error("NULL where a timestamp was expected");
    return micros_of_text({field.c_str(), field.size()});
}

/// A NOT NULL boolean column ('t' or 'f' in PostgreSQL's text output).
inline bool bool_of(const pqxx::field& field) {
    const char first = field.size() == 1 ? field.c_str()[0] : '\0';
    if (field.is_null() || (first != 't' && first != 'f')) {
        throw pqxx::conversion_error("Not a boolean: " + std::string(field.c_str(), field.size()));
    }
    return first == 't';
}

/// A NOT NULL text column, copied once (field::as<std::string> measures
/// the length again and goes through libpqxx's conversion traits).
inline std::string text_of(const pqxx::field& field) {
    if (field.is_null()) throw pqxx::conversion_error("NULL where text was expected");
    return std::string(field.c_str(), field.size());
}

/// A PostgreSQL text[] literal: every element double-quoted, with '"' and
/// '\' escaped (PostgreSQL manual §8.15.6). The value still travels as a
/// parameter, never inside the SQL text. A group of PUTs passes its bodies
/// this way (hex, about 1.5 KB each), built by the group's leader while the
/// others wait: sized first, then filled in one pass.
inline std::string text_array(const std::vector<std::string>& items) {
    const auto special = [](char c) { return c == '"' || c == '\\'; };
    std::size_t size = 2 + (items.empty() ? 0 : items.size() - 1);  // braces, commas
    for (const std::string& item : items) {
        size += 2 + item.size() + static_cast<std::size_t>(
                                      std::count_if(item.begin(), item.end(), special));
    }
    std::string out(size, '\0');
    char* o = out.data();
    *o++ = '{';
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (i > 0) *o++ = ',';
        *o++ = '"';
        for (const char c : items[i]) {
            if (special(c)) *o++ = '\\';
            *o++ = c;
        }
        *o++ = '"';
    }
    *o = '}';
    return out;
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
    u.created = from_micros(micros_of(r[7]));
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
    res.id = int64_of(r[0]);
    res.collection_id = res.id;
    res.path = text_of(r[1]);
    res.kind = static_cast<store::CollectionKind>(int64_of(r[2]));
    res.revision = int64_of(r[3]);
    res.created = from_micros(micros_of(r[4]));
    res.modified = from_micros(micros_of(r[5]));
    return res;
}

/// COSMO_OBJ_COLS.
inline store::Resource object_from(const pqxx::row& r) {
    store::Resource res;
    res.is_collection = false;
    res.id = int64_of(r[0]);
    res.collection_id = int64_of(r[1]);
    res.path = text_of(r[2]);
    res.content_type = text_of(r[3]);
    res.etag = text_of(r[4]);
    res.content_length = int64_of(r[5]);
    res.created = from_micros(micros_of(r[6]));
    res.modified = from_micros(micros_of(r[7]));
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
    l.expires = r[7].is_null() ? store::Timestamp::max() : from_micros(micros_of(r[7]));
    return l;
}

}  // namespace cosmo::store_pg::detail
