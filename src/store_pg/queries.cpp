#include "queries.hpp"

#include <array>

// Timestamps travel as epoch seconds with six exact decimals (micros_of in
// rows.hpp), so no text parsing of timestamptz is needed on the C++ side.
#define COSMO_US(col) "extract(epoch from " col ")"

// Column lists; rows.hpp reads them by position.
#define COSMO_USER_COLS \
    "id, name, email, password_hash, disabled, shard_id, epoch, " COSMO_US("created_at")
#define COSMO_SHARD_COLS                                                           \
    "s.id, s.name, s.dsn, s.state, s.weight, "                                     \
    "(SELECT count(*) FROM app_user u WHERE u.shard_id = s.id)"
#define COSMO_COLL_COLS \
    "c.id, c.path, c.kind, c.revision, " COSMO_US("c.created_at") ", " COSMO_US("c.modified_at")
#define COSMO_OBJ_COLS                                                                   \
    "o.id, o.collection_id, c.path || o.name, o.content_type, o.etag, o.size, " COSMO_US( \
        "o.created_at") ", " COSMO_US("o.modified_at")
#define COSMO_LOCK_COLS                                                         \
    "token, root, exclusive, depth_infinity, owner_xml, principal, timeout_seconds, " \
    "CASE WHEN expires_at = 'infinity' THEN NULL ELSE " COSMO_US("expires_at") " END"
// Rows of owner $1 at or below the collection path $2 ("" = the whole home).
// left()/length() instead of LIKE: paths may contain '%' and '_'.
#define COSMO_UNDER(col) "left(" col ", length($2::text)) = $2::text"
// A CalendarIndex bound (bigint seconds) as timestamptz; the int64 limits
// are the open ends (store::kMinSeconds / kMaxSeconds).
#define COSMO_TS(p)                                                                   \
    "(CASE WHEN " p "::bigint = -9223372036854775808 THEN '-infinity'::timestamptz "   \
    "WHEN " p "::bigint = 9223372036854775807 THEN 'infinity'::timestamptz "           \
    "ELSE to_timestamp(" p "::bigint) END)"
// Index columns of an upsert: NULL unless $7 (has index) is true.
#define COSMO_IDX(p) "CASE WHEN $7 THEN " p " END"
// True unless the placement says the home left this shard (a 'moved'
// tombstone or another epoch than the session's). A mover deletes a home
// in the transaction that leaves its tombstone, so rows a statement with
// this filter returns prove the home was whole for that statement, which
// spares the session its confirm_reads() round trip (pg_session.hpp,
// unconfirmed_reads_). Uncorrelated: planned as a one-time filter.
// The dead properties of owner $1's path `path` as three arrays (ns,
// names, vals) in kPropsList order, joined as d; NULL arrays: none.
#define COSMO_DEAD_PROPS_AGG_OF(owner, path)                                   \
    "SELECT array_agg(p.ns ORDER BY p.ns, p.name) AS ns, "                      \
    "array_agg(p.name ORDER BY p.ns, p.name) AS names, "                        \
    "array_agg(p.value_xml ORDER BY p.ns, p.name) AS vals FROM dead_property p " \
    "WHERE p.owner_id = " owner " AND p.path = " path
#define COSMO_DEAD_PROPS_ARRAYS(path) \
    "LEFT JOIN LATERAL (" COSMO_DEAD_PROPS_AGG_OF("$1", path) ") d ON true"
#define COSMO_HOME_HERE(owner, epoch)                                              \
    "NOT EXISTS (SELECT FROM home_placement hp WHERE hp.owner_id = " owner           \
    " AND (hp.state = 'moved' OR hp.epoch <> " epoch "::bigint))"
#define COSMO_EXPIRES(secs)                                                  \
    "CASE WHEN " secs "::bigint = 0 THEN 'infinity'::timestamptz "          \
    "ELSE now() + " secs "::bigint * interval '1 second' END"

namespace cosmo::store_pg::detail {

namespace {

const std::array kDirectory{
    Query{q::kPing, "SELECT 1"},
    Query{q::kFindUser, "SELECT " COSMO_USER_COLS " FROM app_user WHERE name = $1"},
    Query{q::kListUsers, "SELECT " COSMO_USER_COLS " FROM app_user ORDER BY name"},
    // Serialises placement so two concurrent add_user calls see each other.
    Query{q::kPlacementLock, "SELECT pg_advisory_xact_lock(7306086797370159471)"},
    // Least users per unit of weight among active shards (DESIGN.md).
    Query{q::kPickShard,
          "SELECT s.id FROM shard s "
          "LEFT JOIN (SELECT shard_id, count(*) AS n FROM app_user GROUP BY shard_id) u "
          "ON u.shard_id = s.id WHERE s.state = 'active' "
          "ORDER BY coalesce(u.n, 0)::float8 / s.weight, s.id LIMIT 1"},
    Query{q::kInsertUser,
          "INSERT INTO app_user (name, email, password_hash, shard_id) "
          "VALUES ($1, $2, $3, $4) RETURNING " COSMO_USER_COLS},
    Query{q::kSetPassword, "UPDATE app_user SET password_hash = $2 WHERE name = $1"},
    Query{q::kSetDisabled, "UPDATE app_user SET disabled = $2 WHERE name = $1"},
    Query{q::kListShards, "SELECT " COSMO_SHARD_COLS " FROM shard s ORDER BY s.id"},
    Query{q::kFindShard, "SELECT " COSMO_SHARD_COLS " FROM shard s WHERE s.id = $1"},
    Query{q::kInsertShard,
          "INSERT INTO shard AS s (name, dsn) VALUES ($1, $2) RETURNING " COSMO_SHARD_COLS},
    Query{q::kSetShardState, "UPDATE shard SET state = $2 WHERE name = $1"},
};

const std::array kShard{
    Query{q::kPing, "SELECT 1"},
    // --- collections and objects -------------------------------------------
    Query{q::kHomeInsert,
          "INSERT INTO collection (owner_id, path, kind) VALUES ($1, '', 0) "
          "ON CONFLICT (owner_id, path) DO NOTHING RETURNING id"},
    Query{q::kCollectionByPath,
          "SELECT " COSMO_COLL_COLS " FROM collection c WHERE c.owner_id = $1 AND c.path = $2"},
    // The parent row lock orders concurrent writers of one collection, so
    // revisions and change_log rows never interleave (RFC 6578 §3.2).
    Query{q::kCollectionLock,
          "SELECT " COSMO_COLL_COLS " FROM collection c "
          "WHERE c.owner_id = $1 AND c.path = $2 FOR UPDATE"},
    // The same, and whether a collection $3 exists (an object may not take
    // the name of a collection): column 6.
    // Column 7: another object of the collection holding UID $4 (NULL
    // $4: none asked), other than the name $5 being written; under the lock,
    // so the answer holds until commit (RFC 4791 §5.3.2 no-uid-conflict).
    Query{q::kCollectionLockCheckName,
          "SELECT " COSMO_COLL_COLS ", EXISTS (SELECT 1 FROM collection x "
          "WHERE x.owner_id = $1 AND x.path = $3), (SELECT o.name FROM object o "
          "WHERE o.collection_id = c.id AND o.uid = $4::text AND o.name <> $5::text LIMIT 1) "
          "FROM collection c WHERE c.owner_id = $1 AND c.path = $2 FOR UPDATE OF c"},
    // Locks two collections in id order (a MOVE between them); no deadlock.
    Query{q::kCollectionsLockPair,
          "SELECT " COSMO_COLL_COLS " FROM collection c "
          "WHERE c.owner_id = $1 AND c.path IN ($2, $3) ORDER BY c.id FOR UPDATE"},
    // With the body when it is small (a typical event): a GET then needs no
    // second round trip (PgSession keeps it for read_body until a write).
    Query{q::kObjectByPath,
          "SELECT " COSMO_OBJ_COLS ", CASE WHEN o.size <= 65536 THEN o.body END "
          "FROM object o JOIN collection c ON c.id = o.collection_id "
          "WHERE c.owner_id = $1 AND c.path = $2 AND o.name = $3"},
    // The members of a collection in one round trip: the child collections
    // by path (columns 2..7, as COSMO_COLL_COLS) with their dead properties
    // as three arrays in kPropsList order (16..18), then the objects by
    // name (columns 8..15, as COSMO_OBJ_COLS); column 0 says which. Sorted
    // in byte order whatever the database's collation: memcmp, not
    // strcoll, for a 10,000-member calendar. The child collections'
    // properties are what a PROPFIND Depth 1 on the home (Apple Calendar's
    // poll) asks next: with them here, and the COSMO_HOME_HERE filter, the
    // listing needs neither kPropsListMany nor confirm_reads().
    Query{q::kChildren,
          "SELECT 0 AS k, c.path COLLATE \"C\" AS sort_name, " COSMO_COLL_COLS
          ", NULL::bigint, NULL::bigint, "
          "NULL::text, NULL::text, NULL::text, NULL::bigint, NULL::bigint, NULL::bigint, "
          "d.ns, d.names, d.vals FROM collection c " COSMO_DEAD_PROPS_ARRAYS("c.path")
          " WHERE c.owner_id = $1 AND c.parent_id = $2 AND " COSMO_HOME_HERE("$1", "$3")
          " UNION ALL SELECT 1, o.name COLLATE \"C\", NULL::bigint, NULL::text, NULL::smallint, "
          "NULL::bigint, NULL::bigint, NULL::bigint, " COSMO_OBJ_COLS
          ", NULL::text[], NULL::text[], NULL::text[] FROM object o "
          "JOIN collection c ON c.id = o.collection_id "
          "WHERE c.owner_id = $1 AND o.collection_id = $2 AND " COSMO_HOME_HERE("$1", "$3")
          " ORDER BY 1, 2"},
    Query{q::kObjectBody,
          "SELECT o.body FROM object o JOIN collection c ON c.id = o.collection_id "
          "WHERE c.owner_id = $1 AND o.id = $2"},
    // Both in one round trip (every write logs a change).
    Query{q::kCollectionBumpAndLog,
          "WITH b AS (UPDATE collection SET revision = revision + 1, modified_at = now() "
          "WHERE id = $1 RETURNING revision) "
          "INSERT INTO change_log (collection_id, revision, name, deleted) "
          "SELECT $1, revision, $2, $3 FROM b"},
    Query{q::kLocksOfHome,
          "SELECT " COSMO_LOCK_COLS " FROM dav_lock WHERE owner_id = $1 AND expires_at > now() "
          "ORDER BY root, token"},
    // (xmax = 0) is true for a freshly inserted row, false for an update.
    // $7 = has a calendar index; $8..$12 = uid, component, first_start,
    // last_end (bigint seconds), recurring. $13 = conditional write: then
    // only if the object is still absent ($14 false) or still has ETag $15
    // ($14 true); the row is current here (the caller holds the collection
    // lock). An expected row is proposed only if it exists, so that it meets
    // the ON CONFLICT check. No row comes back when the condition fails.
    Query{q::kObjectUpsert,
          "INSERT INTO object (collection_id, name, content_type, body, etag, size, uid, "
          "component, first_start, last_end, recurring) "
          "SELECT $1::bigint, $2::text, $3::text, $4::bytea, $5::text, $6::bigint, "
          COSMO_IDX("$8::text") ", " COSMO_IDX("$9::text")
          ", " COSMO_IDX(COSMO_TS("$10")) ", " COSMO_IDX(COSMO_TS("$11"))
          ", $7::boolean AND $12::boolean WHERE NOT $13::boolean OR NOT $14::boolean "
          "OR EXISTS (SELECT 1 FROM object x WHERE x.collection_id = $1 AND x.name = $2) "
          "ON CONFLICT (collection_id, name) DO UPDATE SET "
          "content_type = excluded.content_type, body = excluded.body, etag = excluded.etag, "
          "size = excluded.size, uid = excluded.uid, component = excluded.component, "
          "first_start = excluded.first_start, last_end = excluded.last_end, "
          "recurring = excluded.recurring, modified_at = now() "
          "WHERE NOT $13::boolean OR ($14::boolean AND object.etag = $15::text) "
          "RETURNING id, (xmax = 0), " COSMO_US("created_at") ", " COSMO_US("modified_at")},
    // A whole PUT or DELETE of an object in one statement
    // (schema/shard/005_write_functions.sql): run in autocommit, each is its
    // own transaction.
    Query{q::kPutObjectCommitted,
          "SELECT * FROM cosmo_put_object($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, "
          "$13, $14, $15, $16, $17)"},
    Query{q::kPutObjectGuessed,
          "SELECT * FROM cosmo_put_object_guessed($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, "
          "$12, $13, $14, $15, $16, $17, $18, $19::smallint, $20::text[], $21::text[], "
          "$22::text[])"},
    // A group of guessed PUTs in one statement (schema/shard/008): each
    // argument as an array, one element a member.
    Query{q::kPutObjectsGuessed,
          "SELECT * FROM cosmo_put_objects_guessed($1::bigint[], $2::bigint[], $3::text[], "
          "$4::text[], $5::text[], $6::bytea[], $7::text[], $8::bigint[], $9::boolean[], "
          "$10::text[], $11::text[], $12::bigint[], $13::bigint[], $14::boolean[], "
          "$15::boolean[], $16::boolean[], $17::text[], $18::bigint[], $19::smallint[], "
          "$20::int[], $21::text[], $22::text[], $23::text[])"},
    Query{q::kDeleteObjectCommitted,
          "SELECT cosmo_delete_object($1, $2, $3, $4, $5, $6, $7)"},
    Query{q::kCollectionInsert,
          "INSERT INTO collection AS c (owner_id, path, parent_id, kind) "
          "VALUES ($1, $2, $3, $4) RETURNING " COSMO_COLL_COLS},
    // $3: conditional (If-Match), then only while the ETag is still $4.
    Query{q::kObjectDelete,
          "DELETE FROM object WHERE id = $1 AND collection_id = $2 "
          "AND (NOT $3::boolean OR etag = $4::text)"},
    // Objects and change_log rows go by ON DELETE CASCADE.
    Query{q::kSubtreeDelete,
          "DELETE FROM collection WHERE owner_id = $1 AND " COSMO_UNDER("path")},
    // $2 = source collection path, $3 = destination path.
    Query{q::kCollectionsCopySubtree,
          "INSERT INTO collection (owner_id, path, kind) "
          "SELECT owner_id, $3::text || substr(path, length($2::text) + 1), kind "
          "FROM collection WHERE owner_id = $1 AND " COSMO_UNDER("path") " AND path <> $2"},
    // $2 = the subtree whose parent_id values are resolved from paths.
    Query{q::kCollectionsFixParents,
          "UPDATE collection c SET parent_id = p.id FROM collection p "
          "WHERE c.owner_id = $1 AND " COSMO_UNDER("c.path") " AND c.path <> $2 "
          "AND p.owner_id = $1 AND p.path = regexp_replace(c.path, '[^/]*/$', '')"},
    Query{q::kObjectsCopySubtree,
          "INSERT INTO object (collection_id, name, content_type, body, etag, size, uid, "
          "component, first_start, last_end, recurring) "
          "SELECT nc.id, o.name, o.content_type, o.body, o.etag, o.size, o.uid, o.component, "
          "o.first_start, o.last_end, o.recurring "
          "FROM object o JOIN collection sc ON sc.id = o.collection_id "
          "JOIN collection nc ON nc.owner_id = sc.owner_id "
          "AND nc.path = $3::text || substr(sc.path, length($2::text) + 1) "
          "WHERE sc.owner_id = $1 AND " COSMO_UNDER("sc.path")},
    Query{q::kObjectCopy,
          "INSERT INTO object (collection_id, name, content_type, body, etag, size, uid, "
          "component, first_start, last_end, recurring) "
          "SELECT $2::bigint, $3::text, content_type, body, etag, size, uid, component, "
          "first_start, last_end, recurring FROM object WHERE id = $1 "
          "RETURNING id, " COSMO_US("created_at") ", " COSMO_US("modified_at")},
    Query{q::kCollectionsMoveSubtree,
          "UPDATE collection SET path = $3::text || substr(path, length($2::text) + 1) "
          "WHERE owner_id = $1 AND " COSMO_UNDER("path")},
    Query{q::kCollectionSetParent,
          "UPDATE collection SET parent_id = $2 WHERE id = $1"},
    Query{q::kObjectMove,
          "UPDATE object SET collection_id = $2, name = $3 WHERE id = $1 "
          "RETURNING " COSMO_US("created_at") ", " COSMO_US("modified_at")},
    Query{q::kUsedBytes,
          "SELECT coalesce(sum(o.size), 0)::bigint FROM object o "
          "JOIN collection c ON c.id = o.collection_id WHERE c.owner_id = $1"},
    // --- calendar queries and sync (002_caldav.sql) ------------------------
    Query{q::kObjectByUid,
          "SELECT c.path || o.name FROM object o JOIN collection c ON c.id = o.collection_id "
          "WHERE c.owner_id = $1 AND o.collection_id = $2 AND o.uid = $3"},
    // $2/$3: parallel arrays of collection paths and object names.
#define COSMO_JOINED                                                   \
    " FROM unnest($2::text[], $3::text[]) "                            \
    "WITH ORDINALITY AS t(cpath, name, ord) "                          \
    "JOIN collection c ON c.owner_id = $1 AND c.path = t.cpath "       \
    "JOIN object o ON o.collection_id = c.id AND o.name = t.name "       \
    "WHERE " COSMO_HOME_HERE("$1", "$4") " ORDER BY t.ord"
    Query{q::kObjectsRead, "SELECT " COSMO_OBJ_COLS ", o.body" COSMO_JOINED},
    // The bodies as text: PostgreSQL checks that they are UTF-8 and sends
    // them as they are, where bytea's output function rewrites every CR and
    // LF as an octal escape and Cosmo decodes them back. About a quarter of
    // the PostgreSQL time of a 50-object read (docs/performance.md, ninth
    // pass). A body that is not UTF-8 fails the statement (22021) and the
    // caller reads the bytea instead.
#define COSMO_BODY_TEXT ", convert_from(o.body, 'UTF8')"
    Query{q::kObjectsReadText, "SELECT " COSMO_OBJ_COLS COSMO_BODY_TEXT COSMO_JOINED},
    // The common case of a multiget: every path in one collection, whose id
    // ($1) and path ($2) the session knows. One index scan with = ANY
    // instead of a join per path (about 3x less work in PostgreSQL for 50
    // names); the caller restores the order of the paths.
#define COSMO_IN_ONE " FROM object o CROSS JOIN (SELECT $2::text AS path) c " \
                     "WHERE o.collection_id = $1 AND o.name = ANY ($3::text[]) " \
                     "AND " COSMO_HOME_HERE("$4", "$5")
    Query{q::kObjectsReadIn, "SELECT " COSMO_OBJ_COLS ", o.body" COSMO_IN_ONE},
    Query{q::kObjectsReadInText, "SELECT " COSMO_OBJ_COLS COSMO_BODY_TEXT COSMO_IN_ONE},
    Query{q::kObjectsStatIn, "SELECT " COSMO_OBJ_COLS COSMO_IN_ONE},
    // As kObjectsRead without the body (ETag listings).
    Query{q::kObjectsStat, "SELECT " COSMO_OBJ_COLS COSMO_JOINED},
#define COSMO_IN_RANGE                                                                 \
    " FROM object o JOIN collection c "                                               \
    "ON c.id = o.collection_id WHERE c.owner_id = $1 AND o.collection_id = $2 "        \
    "AND (o.component IS NULL OR (($3::text = '' OR o.component = $3::text) "          \
    "AND o.first_start <= " COSMO_TS("$5") " AND o.last_end >= " COSMO_TS("$4") ")) " \
    "AND " COSMO_HOME_HERE("$1", "$6") " ORDER BY o.name"
    Query{q::kObjectsInRange, "SELECT " COSMO_OBJ_COLS ", o.body" COSMO_IN_RANGE},
    // The candidates of kObjectsInRange without bodies: bytea leaves
    // PostgreSQL hex-encoded, a real cost when most candidates are decided
    // without reading them (caldav MatchMemo). With the index columns
    // (8..11): component, the span in whole seconds (NULL for an open end,
    // stored as -infinity / infinity), recurring.
    //
    // Every column read is in object_time_range_covering, so each branch is
    // an index-only scan (schema/shard/010). The three branches are the OR
    // of COSMO_IN_RANGE written as a UNION ALL, because PostgreSQL plans
    // that OR as a bitmap scan, which visits the heap for every candidate:
    // objects without an index, one component's overlapping objects, and
    // any component's ($3 = '', a constant of the execution, so the branch
    // not taken costs nothing).
#define COSMO_RANGE_COLS                                                          \
    "SELECT id, collection_id, name, content_type, etag, size, created_at, "     \
    "modified_at, component, first_start, last_end, recurring FROM object "       \
    "WHERE collection_id = $2 AND "
#define COSMO_OVERLAPS                                                                \
    " AND first_start <= " COSMO_TS("$5") " AND last_end >= " COSMO_TS("$4")
    Query{q::kResourcesInRange,
          "SELECT " COSMO_OBJ_COLS ", o.component, "
          "CASE WHEN isfinite(o.first_start) THEN extract(epoch from o.first_start)::bigint END, "
          "CASE WHEN isfinite(o.last_end) THEN extract(epoch from o.last_end)::bigint END, "
          "o.recurring FROM collection c JOIN ("
          COSMO_RANGE_COLS "component IS NULL UNION ALL "
          COSMO_RANGE_COLS "component = $3::text" COSMO_OVERLAPS " UNION ALL "
          COSMO_RANGE_COLS "$3::text = '' AND component IS NOT NULL" COSMO_OVERLAPS
          ") o ON o.collection_id = c.id WHERE c.owner_id = $1 AND c.id = $2 AND "
          COSMO_HOME_HERE("$1", "$6") " ORDER BY o.name"},
    // Each member's latest change after $2, the lowest revisions first.
    Query{q::kChangesSince,
          "SELECT name, deleted, revision FROM (SELECT DISTINCT ON (name) name, deleted, "
          "revision FROM change_log WHERE collection_id = $1 AND revision > $2 "
          "ORDER BY name, revision DESC) t ORDER BY revision LIMIT $3"},
    // No row (rather than NULL) when the home left: see COSMO_HOME_HERE.
    Query{q::kChangeOldest, "SELECT min(revision) FROM change_log WHERE collection_id = $1 "
                            "HAVING " COSMO_HOME_HERE("$2", "$3")},
    // Per collection, everything up to its newest row older than the cutoff:
    // what stays is always a suffix of revisions (a contiguous delta), even
    // when commit order and now() disagree.
    Query{q::kChangeLogPurge,
          "DELETE FROM change_log l USING (SELECT collection_id, max(revision) AS r "
          "FROM change_log WHERE changed_at < now() - $1::bigint * interval '1 second' "
          "GROUP BY collection_id) o WHERE l.collection_id = o.collection_id "
          "AND l.revision <= o.r"},
    // --- dead properties ---------------------------------------------------
    // One all-NULL row when the resource has none, no row when the home
    // left: a calendar without properties still confirms the home (a
    // calendar-query reads its time zone last).
    Query{q::kPropsList,
          "SELECT p.ns, p.name, p.value_xml FROM (SELECT WHERE " COSMO_HOME_HERE("$1", "$3")
          ") here LEFT JOIN dead_property p ON p.owner_id = $1 AND p.path = $2 "
          "ORDER BY p.ns, p.name"},
    // Every dead property of the paths in $2 (PROPFIND Depth 1 members),
    // filtered and left-joined as kPropsList: it is the last statement of a
    // home or calendar listing with dead properties (Apple Calendar's poll
    // of the home), and so spares that listing its confirm_reads().
    Query{q::kPropsListMany,
          "SELECT p.path, p.ns, p.name, p.value_xml FROM (SELECT WHERE "
          COSMO_HOME_HERE("$1", "$3") ") here LEFT JOIN dead_property p "
          "ON p.owner_id = $1 AND p.path = ANY($2::text[]) ORDER BY p.path, p.ns, p.name"},
    Query{q::kPropGet,
          "SELECT ns, name, value_xml FROM dead_property "
          "WHERE owner_id = $1 AND path = $2 AND ns = $3 AND name = $4"},
    Query{q::kPropUpsert,
          "INSERT INTO dead_property (owner_id, path, ns, name, value_xml) "
          "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (owner_id, path, ns, name) "
          "DO UPDATE SET value_xml = excluded.value_xml"},
    Query{q::kPropDelete,
          "DELETE FROM dead_property WHERE owner_id = $1 AND path = $2 AND ns = $3 AND name = $4"},
    Query{q::kPropsDeletePath, "DELETE FROM dead_property WHERE owner_id = $1 AND path = $2"},
    Query{q::kPropsDeleteSubtree,
          "DELETE FROM dead_property WHERE owner_id = $1 AND " COSMO_UNDER("path")},
    Query{q::kPropsCopyPath,
          "INSERT INTO dead_property (owner_id, path, ns, name, value_xml) "
          "SELECT owner_id, $3, ns, name, value_xml FROM dead_property "
          "WHERE owner_id = $1 AND path = $2"},
    Query{q::kPropsCopySubtree,
          "INSERT INTO dead_property (owner_id, path, ns, name, value_xml) "
          "SELECT owner_id, $3::text || substr(path, length($2::text) + 1), ns, name, value_xml "
          "FROM dead_property WHERE owner_id = $1 AND " COSMO_UNDER("path")},
    Query{q::kPropsMovePath,
          "UPDATE dead_property SET path = $3 WHERE owner_id = $1 AND path = $2"},
    Query{q::kPropsMoveSubtree,
          "UPDATE dead_property SET path = $3::text || substr(path, length($2::text) + 1) "
          "WHERE owner_id = $1 AND " COSMO_UNDER("path")},
    // --- locks (RFC 4918 §6, §7) ------------------------------------------
    // root == $2, or a depth-infinity lock on a collection above $2.
    Query{q::kLocksCovering,
          "SELECT " COSMO_LOCK_COLS " FROM dav_lock WHERE owner_id = $1 AND expires_at > now() "
          "AND (root = $2 OR (depth_infinity AND (root = '' OR right(root, 1) = '/') "
          "AND left($2::text, length(root)) = root)) ORDER BY root, token"},
    Query{q::kLocksWithinSubtree,
          "SELECT " COSMO_LOCK_COLS " FROM dav_lock WHERE owner_id = $1 AND expires_at > now() "
          "AND " COSMO_UNDER("root") " ORDER BY root, token"},
    Query{q::kLocksAt,
          "SELECT " COSMO_LOCK_COLS " FROM dav_lock WHERE owner_id = $1 AND expires_at > now() "
          "AND root = $2 ORDER BY token"},
    Query{q::kLockFind,
          "SELECT " COSMO_LOCK_COLS " FROM dav_lock WHERE owner_id = $1 AND token = $2 "
          "AND expires_at > now()"},
    Query{q::kLocksPurgeExpired,
          "DELETE FROM dav_lock WHERE owner_id = $1 AND expires_at <= now()"},
    Query{q::kLockInsert,
          "INSERT INTO dav_lock (token, owner_id, root, exclusive, depth_infinity, owner_xml, "
          "principal, timeout_seconds, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, "
          COSMO_EXPIRES("$8") ")"},
    Query{q::kLockRefresh,
          "UPDATE dav_lock SET timeout_seconds = $3, expires_at = " COSMO_EXPIRES("$3")
          " WHERE owner_id = $1 AND token = $2 AND expires_at > now()"},
    Query{q::kLockDelete, "DELETE FROM dav_lock WHERE owner_id = $1 AND token = $2"},
    Query{q::kLocksDeleteSubtree,
          "DELETE FROM dav_lock WHERE owner_id = $1 AND " COSMO_UNDER("root")},
    Query{q::kLocksDeleteAt, "DELETE FROM dav_lock WHERE owner_id = $1 AND root = $2"},
    // --- placement fencing (scale-out) -------------------------------------
    Query{q::kPlacementGet, "SELECT epoch, state FROM home_placement WHERE owner_id = $1"},
    // A session's first statement: the placement check and the home
    // collection (which the dispatcher stats on every request) in one round
    // trip. Home columns as COSMO_COLL_COLS (NULL: no home yet), then the
    // placement (NULL: no row yet).
#define COSMO_SESSION_OPEN_OF(owner)                                                    \
    "SELECT " COSMO_COLL_COLS ", p.epoch, p.state FROM (SELECT " owner " AS owner_id) o " \
    "LEFT JOIN collection c ON c.owner_id = o.owner_id AND c.path = '' "                   \
    "LEFT JOIN home_placement p ON p.owner_id = o.owner_id"
#define COSMO_SESSION_OPEN COSMO_SESSION_OPEN_OF("$1::bigint")
    // The home's child collections for a PROPFIND Depth 1 on the home
    // (OpenHint::list_home; Apple Calendar polls that way), as one JSON
    // array of [COSMO_COLL_COLS..., ns[], names[], vals[]] in the order of
    // kChildren (path in byte order; the times as text, as rows send them).
    // NULL when the home holds objects, which kChildren then lists: rare,
    // and a listing of collections alone is what polls read.
#define COSMO_HOME_LISTING_OF(owner, home)                                                 \
    "SELECT CASE WHEN EXISTS (SELECT FROM object o WHERE o.collection_id = " home ") "     \
    "THEN NULL ELSE coalesce(json_agg(json_build_array(c.id, c.path, c.kind, c.revision, " \
    COSMO_US("c.created_at") "::text, " COSMO_US("c.modified_at") "::text, "              \
    "d.ns, d.names, d.vals) ORDER BY c.path COLLATE \"C\"), '[]') END "                   \
    "FROM collection c LEFT JOIN LATERAL (" COSMO_DEAD_PROPS_AGG_OF(owner, "c.path")     \
    ") d ON true WHERE c.owner_id = " owner " AND c.parent_id = " home
    // Alone (a request on the home or a principal), with the home's dead
    // properties as three arrays in kPropsList order (columns 8..10): a
    // PROPFIND on the home (Apple Calendar's poll) reads them next. Column
    // 11 is the home's listing when $2 asks for it, else NULL.
    Query{q::kSessionOpen,
          "SELECT s.*, d.*, CASE WHEN $2::boolean THEN (" COSMO_HOME_LISTING_OF("$1", "s.id")
          ") END FROM (" COSMO_SESSION_OPEN ") s " COSMO_DEAD_PROPS_ARRAYS("''")},
    // The same plus the object the request is about (columns 8..16, as
    // object_by_path), a collection of that name with a slash (17..22,
    // which a request without the slash may mean) and the parent collection
    // (23..28, which a PUT or DELETE reads next): a GET is one round trip.
#define COSMO_SESSION_OPEN_OBJECT                                                        \
    "SELECT s.*, t.*, u.*, v.* FROM (" COSMO_SESSION_OPEN ") s LEFT JOIN LATERAL (SELECT " \
    COSMO_OBJ_COLS ", CASE WHEN o.size <= 65536 THEN o.body END "                          \
    "FROM object o JOIN collection c ON c.id = o.collection_id "                          \
    "WHERE c.owner_id = $1 AND c.path = $2 AND o.name = $3) t ON true "                  \
    "LEFT JOIN LATERAL (SELECT " COSMO_COLL_COLS " FROM collection c "                    \
    "WHERE c.owner_id = $1 AND c.path = $2 || $3 || '/') u ON true "                      \
    "LEFT JOIN LATERAL (SELECT " COSMO_COLL_COLS " FROM collection c "                    \
    "WHERE c.owner_id = $1 AND c.path = $2) v ON true"
    // The object $3 in the collection $2 of owner $1, with its body when
    // small, and that collection (as COSMO_COLL_COLS).
#define COSMO_OBJECT_AND_COLLECTION(owner, parent, name)                               \
    "SELECT " COSMO_OBJ_COLS ", CASE WHEN o.size <= 65536 THEN o.body END, "          \
    COSMO_COLL_COLS " FROM object o JOIN collection c ON c.id = o.collection_id "     \
    "WHERE c.owner_id = " owner " AND c.path = " parent " AND o.name = " name
    // For a read (GET, PROPFIND, REPORT on an object): the object and the
    // collection it was found in (columns 8..16 as above, then 17..22 as
    // COSMO_COLL_COLS), without the two collection probes. A read of an
    // object that exists needs neither name/ nor (beyond the collection
    // the join already read) the parent; a missing one, rare for a read,
    // stats them by a query of their own. About 15 us of PostgreSQL CPU
    // per GET (docs/performance.md, "Tenth pass").
    Query{q::kSessionOpenObject,
          "SELECT s.*, t.* FROM (" COSMO_SESSION_OPEN ") s LEFT JOIN LATERAL ("
          COSMO_OBJECT_AND_COLLECTION("$1", "$2", "$3") ") t ON true"},
    // For a write (PUT, DELETE), which reads the parent next even when the
    // object is new: the session-open-object columns with both collection
    // probes, the number of live locks of the home
    // (column 29; zero, the usual case, answers every lock check) and the
    // parent's dead properties as three arrays in kPropsList order (30..32).
    Query{q::kSessionOpenObjectWrite,
          "SELECT w.*, (SELECT count(*) FROM dav_lock l WHERE l.owner_id = $1 "
          "AND l.expires_at > now()), d.* FROM (" COSMO_SESSION_OPEN_OBJECT ") w "
          COSMO_DEAD_PROPS_ARRAYS("$2")},
    // Or the collection (columns 8..13, as collection_by_path).
#define COSMO_COLLECTION_AT(owner, path) \
    "SELECT " COSMO_COLL_COLS " FROM collection c WHERE c.owner_id = " owner " AND c.path = " path
    Query{q::kSessionOpenCollection,
          "SELECT s.*, t.* FROM (" COSMO_SESSION_OPEN ") s LEFT JOIN LATERAL ("
          COSMO_COLLECTION_AT("$1", "$2") ") t ON true"},
    // kSessionOpen, kSessionOpenCollection and kSessionOpenObject for many
    // sessions at once (session_opens.hpp), one statement per kind: the
    // owners and paths as arrays ($1.., text literals), a row per member,
    // its number from 1 in column 0, then the lone statement's columns.
#define COSMO_SESSION_OPENS(arrays, columns)                                        \
    "SELECT k.i, s.*, t.* FROM unnest(" arrays ") WITH ORDINALITY k(" columns ", i) " \
    "CROSS JOIN LATERAL (" COSMO_SESSION_OPEN_OF("k.owner_id") ") s "
    Query{q::kSessionOpensHome,
          COSMO_SESSION_OPENS("$1::bigint[], $2::boolean[]", "owner_id, list")
          "LEFT JOIN LATERAL (SELECT d.*, CASE WHEN k.list THEN ("
          COSMO_HOME_LISTING_OF("k.owner_id", "s.id") ") END FROM ("
          COSMO_DEAD_PROPS_AGG_OF("k.owner_id", "''") ") d) t ON true"},
    // LIMIT 1 (there is one row at most anyway) keeps the subquery a probe
    // per member: flattened into a join, it was planned as a hash join
    // over a sequential scan of the collection table (PlansTest).
    Query{q::kSessionOpensCollection,
          COSMO_SESSION_OPENS("$1::bigint[], $2::text[]", "owner_id, path")
          "LEFT JOIN LATERAL (" COSMO_COLLECTION_AT("k.owner_id", "k.path") " LIMIT 1) t ON true"},
    Query{q::kSessionOpensObject,
          COSMO_SESSION_OPENS("$1::bigint[], $2::text[], $3::text[]", "owner_id, parent, name")
          "LEFT JOIN LATERAL (" COSMO_OBJECT_AND_COLLECTION("k.owner_id", "k.parent", "k.name")
          ") t ON true"},
    // Held until commit by every writing session: `cosmo user move` sets
    // state = 'moving' with an UPDATE, which waits for these share locks.
    Query{q::kPlacementShare,
          "SELECT epoch, state FROM home_placement WHERE owner_id = $1 FOR SHARE"},
    Query{q::kPlacementInsert,
          "INSERT INTO home_placement (owner_id, epoch, state) VALUES ($1, $2, 'active') "
          "ON CONFLICT (owner_id) DO NOTHING"},
};

}  // namespace

std::span<const Query> directory_queries() { return kDirectory; }
std::span<const Query> shard_queries() { return kShard; }

}  // namespace cosmo::store_pg::detail
