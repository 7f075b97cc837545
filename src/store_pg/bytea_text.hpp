#pragma once
/// PostgreSQL's text output of bytea, decoded into the bytes (PostgreSQL
/// manual §8.4). Bodies of calendar objects come back this way in every
/// GET, multiget and calendar-query with calendar-data, so the decoder is
/// on the hottest read path there is.

#include <optional>
#include <string>
#include <string_view>

namespace cosmo::store_pg::detail {

/// The bytes `text` stands for, in either output format:
///  - hex: "\x" then two hex digits per byte;
///  - escape: printable bytes as themselves, a backslash as two, any other
///    byte as a backslash and three octal digits.
/// nullopt when `text` is in neither format (the caller then lets libpq's
/// PQunescapeBytea judge it).
std::optional<std::string> decode_bytea_text(std::string_view text);

}  // namespace cosmo::store_pg::detail

namespace cosmo::store_pg::detail {

/// bytes as bytea's hex input ("\x" then two lowercase hex digits a byte),
/// for passing a bytea as a text parameter among other text parameters.
std::string encode_bytea_hex(std::string_view bytes);

}  // namespace cosmo::store_pg::detail
