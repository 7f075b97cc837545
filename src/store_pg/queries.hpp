#pragma once
/// Every SQL statement of store_pg, as named prepared statements. The name
/// is also the metrics label of the query (STYLE.md 3.8), so keep it stable.

#include <span>

namespace cosmo::store_pg::detail {

/// A named statement.
struct Query {
    const char* name;
    const char* sql;
};

/// Statements prepared on every directory connection.
std::span<const Query> directory_queries();
/// Statements prepared on every shard connection.
std::span<const Query> shard_queries();

/// Names, one per statement (the tables in queries.cpp use these).
namespace q {
inline constexpr const char* kPing = "ping";
// Directory.
inline constexpr const char* kFindUser = "dir_find_user";
inline constexpr const char* kListUsers = "dir_list_users";
inline constexpr const char* kPlacementLock = "dir_placement_lock";
inline constexpr const char* kPickShard = "dir_pick_shard";
inline constexpr const char* kInsertUser = "dir_insert_user";
inline constexpr const char* kSetPassword = "dir_set_password";
inline constexpr const char* kSetDisabled = "dir_set_disabled";
inline constexpr const char* kListShards = "dir_list_shards";
inline constexpr const char* kFindShard = "dir_find_shard";
inline constexpr const char* kInsertShard = "dir_insert_shard";
inline constexpr const char* kSetShardState = "dir_set_shard_state";
// Shard: collections and objects.
inline constexpr const char* kHomeInsert = "home_insert";
inline constexpr const char* kCollectionByPath = "collection_by_path";
inline constexpr const char* kCollectionLock = "collection_lock";
inline constexpr const char* kCollectionsLockPair = "collections_lock_pair";
inline constexpr const char* kObjectByPath = "object_by_path";
inline constexpr const char* kChildren = "children";
inline constexpr const char* kObjectBody = "object_body";
inline constexpr const char* kObjectUpsert = "object_upsert";
inline constexpr const char* kPutObjectCommitted = "put_object_committed";
inline constexpr const char* kPutObjectGuessed = "put_object_guessed";
inline constexpr const char* kPutObjectsGuessed = "put_objects_guessed";
inline constexpr const char* kDeleteObjectCommitted = "delete_object_committed";
inline constexpr const char* kCollectionInsert = "collection_insert";
inline constexpr const char* kObjectDelete = "object_delete";
inline constexpr const char* kSubtreeDelete = "subtree_delete";
inline constexpr const char* kCollectionsCopySubtree = "collections_copy_subtree";
inline constexpr const char* kCollectionsFixParents = "collections_fix_parents";
inline constexpr const char* kObjectsCopySubtree = "objects_copy_subtree";
inline constexpr const char* kObjectCopy = "object_copy";
inline constexpr const char* kCollectionsMoveSubtree = "collections_move_subtree";
inline constexpr const char* kCollectionSetParent = "collection_set_parent";
inline constexpr const char* kObjectMove = "object_move";
inline constexpr const char* kUsedBytes = "used_bytes";
// Shard: calendar queries and sync (schema/shard/002_caldav.sql).
inline constexpr const char* kObjectByUid = "object_by_uid";
inline constexpr const char* kObjectsRead = "objects_read";
inline constexpr const char* kObjectsStat = "objects_stat";
inline constexpr const char* kObjectsReadIn = "objects_read_in";
// As kObjectsRead / kObjectsReadIn with the body as UTF-8 text (PgSession::batch_rows).
inline constexpr const char* kObjectsReadText = "objects_read_text";
inline constexpr const char* kObjectsReadInText = "objects_read_in_text";
inline constexpr const char* kObjectsStatIn = "objects_stat_in";
inline constexpr const char* kObjectsInRange = "objects_in_range";
inline constexpr const char* kChangesSince = "changes_since";
inline constexpr const char* kChangeOldest = "change_oldest";
inline constexpr const char* kChangeLogPurge = "change_log_purge";
// Shard: dead properties.
inline constexpr const char* kPropsList = "props_list";
inline constexpr const char* kPropsListMany = "props_list_many";
inline constexpr const char* kPropGet = "prop_get";
inline constexpr const char* kPropUpsert = "prop_upsert";
inline constexpr const char* kPropDelete = "prop_delete";
inline constexpr const char* kPropsDeletePath = "props_delete_path";
inline constexpr const char* kPropsDeleteSubtree = "props_delete_subtree";
inline constexpr const char* kPropsCopyPath = "props_copy_path";
inline constexpr const char* kPropsCopySubtree = "props_copy_subtree";
inline constexpr const char* kPropsMovePath = "props_move_path";
inline constexpr const char* kPropsMoveSubtree = "props_move_subtree";
// Shard: locks.
inline constexpr const char* kLocksCovering = "locks_covering";
inline constexpr const char* kLocksWithinSubtree = "locks_within_subtree";
inline constexpr const char* kLocksAt = "locks_at";
inline constexpr const char* kLockFind = "lock_find";
inline constexpr const char* kLocksPurgeExpired = "locks_purge_expired";
inline constexpr const char* kLockInsert = "lock_insert";
inline constexpr const char* kLockRefresh = "lock_refresh";
inline constexpr const char* kLockDelete = "lock_delete";
inline constexpr const char* kLocksDeleteSubtree = "locks_delete_subtree";
inline constexpr const char* kLocksDeleteAt = "locks_delete_at";
// Shard: placement fencing (schema/shard/003_placement.sql).
inline constexpr const char* kPlacementGet = "placement_get";
inline constexpr const char* kSessionOpen = "session_open";
inline constexpr const char* kResourcesInRange = "resources_in_range";
inline constexpr const char* kCollectionBumpAndLog = "collection_bump_and_log";
inline constexpr const char* kCollectionLockCheckName = "collection_lock_check_name";
inline constexpr const char* kLocksOfHome = "locks_of_home";
inline constexpr const char* kSessionOpenObject = "session_open_object";
inline constexpr const char* kSessionOpenObjectWrite = "session_open_object_write";
inline constexpr const char* kSessionOpenCollection = "session_open_collection";
inline constexpr const char* kSessionOpensHome = "session_opens_home";
inline constexpr const char* kSessionOpensCollection = "session_opens_collection";
inline constexpr const char* kSessionOpensObject = "session_opens_object";
inline constexpr const char* kPlacementShare = "placement_share";
inline constexpr const char* kPlacementInsert = "placement_insert";
}  // namespace q

}  // namespace cosmo::store_pg::detail
