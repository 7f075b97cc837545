#pragma once
// Request bodies the load tester sends, shaped like real clients' bodies
// (RFC 4918 PROPFIND, RFC 4791 §7.8-7.10 REPORTs, RFC 6578 sync-collection).

#include <cstdint>
#include <string>
#include <vector>

namespace cosmo::loadtest {

/// PROPFIND of DAV:getetag and DAV:getcontenttype (an ETag listing).
std::string propfind_etags();
/// PROPFIND of CS:getctag and DAV:sync-token (a change check on a collection).
std::string propfind_ctag();
/// PROPFIND of a calendar home as Apple Calendar sends it on every poll.
std::string propfind_home_apple();
/// calendar-query for VEVENTs overlapping [from, to) (RFC 4791 §7.8).
std::string calendar_query(std::int64_t from, std::int64_t to, bool with_data);
/// calendar-multiget of hrefs with getetag and calendar-data (RFC 4791 §7.9).
std::string calendar_multiget(const std::vector<std::string>& hrefs);
/// sync-collection at level 1 from a token (empty = initial) (RFC 6578 §3.2).
std::string sync_collection(const std::string& token);
/// free-busy-query for [from, to) (RFC 4791 §7.10).
std::string free_busy_query(std::int64_t from, std::int64_t to);

}  // namespace cosmo::loadtest
