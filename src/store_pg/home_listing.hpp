#pragma once
/// The home's listing as a session's first statement sends it for a
/// PROPFIND Depth 1 on the home (COSMO_HOME_LISTING_OF in queries.cpp,
/// OpenHint::list_home): one JSON array with a member per child collection,
/// [id, path, kind, revision, created, modified, ns[], names[], vals[]],
/// the times as `extract(epoch ...)` text and the three arrays the child's
/// dead properties (NULL: none), as kChildren's columns say them.

#include <string_view>
#include <utility>
#include <vector>

#include "cosmo/store/types.hpp"

namespace cosmo::store_pg::detail {

using ListedCollection = std::pair<store::Resource, std::vector<store::DeadProperty>>;

/// Reads such a listing into out (in its order). False, with out in an
/// unspecified state, when it is not of that shape: never from the
/// statement, but the caller then reads the members with kChildren
/// rather than serve a listing it could not read.
bool collections_from_json(std::string_view json, std::vector<ListedCollection>& out);

}  // namespace cosmo::store_pg::detail
