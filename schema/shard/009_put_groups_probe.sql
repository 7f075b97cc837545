-- cosmo_put_objects_guessed (008) with one change: the check "no collection
-- at a member's name/" probes collection_owner_id_path_key once per member
-- (OFFSET 0 keeps the subquery correlated) instead of letting the planner
-- hash every collection of the shard once per group.
--
-- The function's statements run with generic plans (the pool's
-- plan_cache_mode), and for a small collection table the generic plan of
-- 008's EXISTS was a hashed SubPlan: an index-only scan of the whole table
-- for every group. collection is the table every PUT updates (the
-- revision), so its visibility map is rarely set and that scan visits the
-- heap, dead row versions included. pgbench of the function (groups of 6
-- edits, 100 users x 1,000 events, generic plans, alternating rounds):
-- a median 1.72 ms a group against 2.11 ms with 008 on a table just after
-- a burst of edits, 1.76 against 1.90 ms just after VACUUM
-- (docs/performance.md, session 24). With many collections the planner
-- probes anyway; this makes it probe at every size.

CREATE OR REPLACE FUNCTION cosmo_put_objects_guessed(
    p_owner bigint[], p_epoch bigint[], p_parent text[], p_name text[],
    p_content_type text[], p_body bytea[], p_etag text[], p_size bigint[],
    p_indexed boolean[], p_uid text[], p_component text[],
    p_first_start bigint[], p_last_end bigint[], p_recurring boolean[],
    p_conditional boolean[], p_expect_exists boolean[], p_expect_etag text[],
    p_parent_id bigint[], p_parent_kind smallint[],
    p_props_member int[], p_props_ns text[], p_props_names text[], p_props_values text[])
RETURNS TABLE (member int, put_id bigint, put_collection bigint, put_created boolean,
               put_created_us bigint, put_modified_us bigint)
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('lock_timeout', '100ms', true);

    -- The fences of every home, FOR SHARE until commit, in owner order.
    PERFORM 1 FROM home_placement h
        WHERE h.owner_id = ANY (p_owner) ORDER BY h.owner_id FOR SHARE;
    -- The parents, FOR UPDATE until commit, in id order.
    PERFORM 1 FROM collection c
        WHERE c.id = ANY (p_parent_id) ORDER BY c.id FOR UPDATE;

    -- Every check, for every member, in one statement that sees every
    -- write committed before the locks were ours.
    IF EXISTS (
        SELECT 1
        FROM unnest(p_owner, p_epoch, p_parent, p_name, p_parent_id, p_parent_kind,
                    p_conditional, p_expect_exists, p_expect_etag)
             WITH ORDINALITY AS u(owner, epoch, parent, name, parent_id, parent_kind,
                                  conditional, expect_exists, expect_etag, m)
        LEFT JOIN home_placement h ON h.owner_id = u.owner
        LEFT JOIN collection c ON c.id = u.parent_id AND c.owner_id = u.owner
                               AND c.path = u.parent
        LEFT JOIN object x ON x.collection_id = u.parent_id AND x.name = u.name
        WHERE h.owner_id IS NULL OR h.state <> 'active' OR h.epoch <> u.epoch
           OR c.id IS NULL OR c.kind <> u.parent_kind
           OR (u.conditional AND CASE WHEN u.expect_exists
                                      THEN x.etag IS DISTINCT FROM u.expect_etag
                                      ELSE x.id IS NOT NULL END)
           OR EXISTS (SELECT 1 FROM dav_lock l
                      WHERE l.owner_id = u.owner AND l.expires_at > now())
           OR EXISTS (SELECT 1 FROM collection y
                      WHERE y.owner_id = u.owner AND y.path = u.parent || u.name || '/'
                      OFFSET 0)
           OR (SELECT ROW(coalesce(array_agg(p.ns ORDER BY p.ns, p.name), '{}'),
                          coalesce(array_agg(p.name ORDER BY p.ns, p.name), '{}'),
                          coalesce(array_agg(p.value_xml ORDER BY p.ns, p.name), '{}'))
               FROM dead_property p WHERE p.owner_id = u.owner AND p.path = u.parent)
              IS DISTINCT FROM
              (SELECT ROW(coalesce(array_agg(g.ns ORDER BY g.i), '{}'),
                          coalesce(array_agg(g.name ORDER BY g.i), '{}'),
                          coalesce(array_agg(g.value ORDER BY g.i), '{}'))
               FROM unnest(p_props_member, p_props_ns, p_props_names, p_props_values)
                    WITH ORDINALITY AS g(m, ns, name, value, i)
               WHERE g.m = u.m)
    ) THEN
        RAISE EXCEPTION 'a check of a group of % PUTs failed', cardinality(p_name)
            USING ERRCODE = 'CZ008';
    END IF;

    -- The writes, the revisions and the change log in one statement.
    RETURN QUERY
    WITH u AS (
        SELECT * FROM unnest(p_parent_id, p_name, p_content_type, p_body, p_etag, p_size,
                             p_indexed, p_uid, p_component, p_first_start, p_last_end,
                             p_recurring)
             WITH ORDINALITY AS u(parent_id, name, content_type, body, etag, size, indexed,
                                  uid, component, first_start, last_end, recurring, m)
    ), written AS (
        INSERT INTO object AS o (collection_id, name, content_type, body, etag, size, uid,
                                 component, first_start, last_end, recurring)
        SELECT u.parent_id, u.name, u.content_type, u.body, u.etag, u.size,
               CASE WHEN u.indexed THEN u.uid END,
               CASE WHEN u.indexed THEN u.component END,
               CASE WHEN NOT u.indexed THEN NULL
                    WHEN u.first_start = -9223372036854775808 THEN '-infinity'::timestamptz
                    WHEN u.first_start = 9223372036854775807 THEN 'infinity'::timestamptz
                    ELSE to_timestamp(u.first_start) END,
               CASE WHEN NOT u.indexed THEN NULL
                    WHEN u.last_end = -9223372036854775808 THEN '-infinity'::timestamptz
                    WHEN u.last_end = 9223372036854775807 THEN 'infinity'::timestamptz
                    ELSE to_timestamp(u.last_end) END,
               u.indexed AND u.recurring
        FROM u ORDER BY u.m
        ON CONFLICT (collection_id, name) DO UPDATE SET
            content_type = excluded.content_type, body = excluded.body, etag = excluded.etag,
            size = excluded.size, uid = excluded.uid, component = excluded.component,
            first_start = excluded.first_start, last_end = excluded.last_end,
            recurring = excluded.recurring, modified_at = now()
        RETURNING o.collection_id, o.name, o.id, (o.xmax = 0) AS created, o.created_at,
                  o.modified_at
    ), per_parent AS (
        SELECT u.parent_id, count(*) AS k FROM u GROUP BY u.parent_id
    ), bumped AS (
        -- RFC 6578: each membership change gets the parent's next revision.
        UPDATE collection c SET revision = c.revision + pp.k, modified_at = now()
            FROM per_parent pp WHERE c.id = pp.parent_id
            RETURNING c.id, c.revision - pp.k AS base
    ), logged AS (
        INSERT INTO change_log (collection_id, revision, name, deleted)
        SELECT u.parent_id,
               b.base + row_number() OVER (PARTITION BY u.parent_id ORDER BY u.m),
               u.name, false
        FROM u JOIN bumped b ON b.id = u.parent_id
    )
    SELECT u.m::int, w.id, w.collection_id, w.created,
           (extract(epoch FROM w.created_at) * 1000000)::bigint,
           (extract(epoch FROM w.modified_at) * 1000000)::bigint
    FROM u JOIN written w ON w.collection_id = u.parent_id AND w.name = u.name;
END
$$;
