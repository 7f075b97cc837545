-- A guessed PUT (006) in five statements instead of about fourteen.
-- 006 checked the guess and then called cosmo_put_object, which fenced the
-- home, locked the parent and looked for a collection at name/ a second
-- time, in a second PL/pgSQL frame. Each statement costs PostgreSQL an
-- executor start-up; one client, `pgbench -M prepared`, synchronous commit
-- off, a call took about 0.36 ms before and 0.31 ms after (round trip
-- included; docs/performance.md, ninth pass). What is checked, in which
-- order, and which error each failure raises is unchanged:
--
--   CZ001 / CZ002  the home is not here / is moving (as cosmo_fence_home)
--   CZ005          another object of the parent has the UID -> 409
--   CZ006          the object is not what the precondition said -> 412
--   CZ008          the server's copy of the parent or the home is stale
--                  (also: no placement row yet; the long way creates it)
--
-- The checks after the row lock run in a statement of their own, so in
-- READ COMMITTED they see every write committed before the lock was ours.
-- The parent's dead properties are compared whole, or, when the server
-- saw none, by a cheaper test that there still are none.

CREATE OR REPLACE FUNCTION cosmo_put_object_guessed(
    p_owner bigint, p_epoch bigint, p_parent text, p_name text,
    p_content_type text, p_body bytea, p_etag text, p_size bigint,
    p_indexed boolean, p_uid text, p_component text,
    p_first_start bigint, p_last_end bigint, p_recurring boolean,
    p_conditional boolean, p_expect_exists boolean, p_expect_etag text,
    p_parent_id bigint, p_parent_kind smallint,
    p_props_ns text[], p_props_names text[], p_props_values text[],
    OUT put_id bigint, OUT put_collection bigint, OUT put_created boolean,
    OUT put_created_us bigint, OUT put_modified_us bigint)
LANGUAGE plpgsql AS $$
DECLARE
    v_epoch bigint;
    v_state text;
    v_kind smallint;
    v_failed int;
    v_created_at timestamptz;
    v_modified_at timestamptz;
BEGIN
    -- The fence of cosmo_fence_home, inline: FOR SHARE until commit.
    SELECT epoch, state INTO v_epoch, v_state
        FROM home_placement WHERE owner_id = p_owner FOR SHARE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no placement row for user % yet', p_owner USING ERRCODE = 'CZ008';
    END IF;
    IF v_state = 'moved' OR v_epoch <> p_epoch THEN
        RAISE EXCEPTION 'home of user % is not here (%, epoch %, routed with %)',
            p_owner, v_state, v_epoch, p_epoch USING ERRCODE = 'CZ001';
    END IF;
    IF v_state = 'moving' THEN
        RAISE EXCEPTION 'home of user % is moving', p_owner USING ERRCODE = 'CZ002';
    END IF;

    -- The parent, as assumed (same id, path and kind), locked until commit.
    SELECT c.kind INTO v_kind
        FROM collection c
        WHERE c.id = p_parent_id AND c.owner_id = p_owner AND c.path = p_parent FOR UPDATE;
    IF NOT FOUND OR v_kind <> p_parent_kind THEN
        RAISE EXCEPTION 'parent % is not the one assumed', p_parent USING ERRCODE = 'CZ008';
    END IF;

    -- Everything else the long way would have read, in one statement: no
    -- live lock in the home, no collection at name/ (the PUT would mean
    -- it: 405), the parent's dead properties as validated against, and no
    -- other object of the parent with this UID.
    SELECT CASE
        WHEN EXISTS (SELECT 1 FROM dav_lock l
                     WHERE l.owner_id = p_owner AND l.expires_at > now()) THEN 1
        WHEN EXISTS (SELECT 1 FROM collection x
                     WHERE x.owner_id = p_owner AND x.path = p_parent || p_name || '/') THEN 2
        WHEN CASE WHEN cardinality(p_props_ns) = 0
                  THEN EXISTS (SELECT 1 FROM dead_property p
                               WHERE p.owner_id = p_owner AND p.path = p_parent)
                  ELSE (SELECT ROW(coalesce(array_agg(p.ns ORDER BY p.ns, p.name), '{}'),
                                   coalesce(array_agg(p.name ORDER BY p.ns, p.name), '{}'),
                                   coalesce(array_agg(p.value_xml ORDER BY p.ns, p.name), '{}'))
                        FROM dead_property p WHERE p.owner_id = p_owner AND p.path = p_parent)
                       IS DISTINCT FROM ROW(p_props_ns, p_props_names, p_props_values)
             END THEN 3
        WHEN p_indexed AND EXISTS (SELECT 1 FROM object o
                                   WHERE o.collection_id = p_parent_id
                                     AND o.uid = p_uid AND o.name <> p_name) THEN 4
        ELSE 0 END INTO v_failed;
    IF v_failed = 4 THEN
        RAISE EXCEPTION 'duplicate UID in %', p_parent USING ERRCODE = 'CZ005';
    ELSIF v_failed <> 0 THEN
        RAISE EXCEPTION 'the guess about % no longer holds (check %)', p_parent || p_name,
            v_failed USING ERRCODE = 'CZ008';
    END IF;

    -- The write, as cosmo_put_object (005) does it.
    INSERT INTO object AS o (collection_id, name, content_type, body, etag, size, uid,
                             component, first_start, last_end, recurring)
    SELECT p_parent_id, p_name, p_content_type, p_body, p_etag, p_size,
           CASE WHEN p_indexed THEN p_uid END,
           CASE WHEN p_indexed THEN p_component END,
           CASE WHEN NOT p_indexed THEN NULL
                WHEN p_first_start = -9223372036854775808 THEN '-infinity'::timestamptz
                WHEN p_first_start = 9223372036854775807 THEN 'infinity'::timestamptz
                ELSE to_timestamp(p_first_start) END,
           CASE WHEN NOT p_indexed THEN NULL
                WHEN p_last_end = -9223372036854775808 THEN '-infinity'::timestamptz
                WHEN p_last_end = 9223372036854775807 THEN 'infinity'::timestamptz
                ELSE to_timestamp(p_last_end) END,
           p_indexed AND p_recurring
    WHERE NOT p_conditional OR NOT p_expect_exists
          OR EXISTS (SELECT 1 FROM object x WHERE x.collection_id = p_parent_id AND x.name = p_name)
    ON CONFLICT (collection_id, name) DO UPDATE SET
        content_type = excluded.content_type, body = excluded.body, etag = excluded.etag,
        size = excluded.size, uid = excluded.uid, component = excluded.component,
        first_start = excluded.first_start, last_end = excluded.last_end,
        recurring = excluded.recurring, modified_at = now()
        WHERE NOT p_conditional OR (p_expect_exists AND o.etag = p_expect_etag)
    RETURNING o.id, (o.xmax = 0), o.created_at, o.modified_at
        INTO put_id, put_created, v_created_at, v_modified_at;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'changed since the condition was checked: %', p_parent || p_name
            USING ERRCODE = 'CZ006';
    END IF;

    -- RFC 6578: the membership change gets the parent's next revision.
    WITH bumped AS (
        UPDATE collection SET revision = revision + 1, modified_at = now()
            WHERE id = p_parent_id RETURNING id, revision)
    INSERT INTO change_log (collection_id, revision, name, deleted)
        SELECT id, revision, p_name, false FROM bumped;

    put_collection := p_parent_id;
    put_created_us := (extract(epoch FROM v_created_at) * 1000000)::bigint;
    put_modified_us := (extract(epoch FROM v_modified_at) * 1000000)::bigint;
END
$$;
