#pragma once
/// The schema SQL files, compiled into the binary by a CMake step (top
/// CMakeLists.txt writes build/generated/schema_files.cpp).

#include <vector>

namespace cosmo::store_pg::detail {

/// One embedded migration file.
struct SchemaFile {
    const char* path;  ///< relative to schema/, e.g. "shard/001_init.sql"
    const char* sql;   ///< the file's contents
};

/// Every schema/*/NNN_*.sql file, in no particular order.
const std::vector<SchemaFile>& schema_files();

}  // namespace cosmo::store_pg::detail
