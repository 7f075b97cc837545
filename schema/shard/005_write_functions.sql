-- The two writes clients send most, a PUT and a DELETE of one object, as
-- one statement each: the placement fence, the parent lock, the checks, the
-- write and the change log that PgSession otherwise sends as five or six
-- round trips (BEGIN + placement, lock + checks, write, log + COMMIT).
-- Called in autocommit, so the statement is its own transaction: every
-- failure raises, which rolls back everything the call did (the placement
-- row of a new home included).
--
-- Failures carry SQLSTATEs of their own (class CZ, unused by PostgreSQL);
-- PgSession maps them to store errors (write_function_error):
--   CZ001 home not here (moved, or another epoch)   -> kMoved
--   CZ002 home being moved                          -> kReadOnly
--   CZ003 parent collection missing (PUT)           -> kConflict
--   CZ004 a collection exists at name/              -> kConflict
--   CZ005 another object of the parent has the UID  -> kUidConflict
--   CZ006 the write condition no longer holds       -> kChanged
--   CZ007 the object or its parent is gone (DELETE) -> kNotFound

-- The fence of PgSession::check_placement: the owner's placement row, held
-- FOR SHARE until the end of the caller's transaction (a mover's UPDATE to
-- 'moving' waits for it), created with the routed epoch for a new home.
CREATE FUNCTION cosmo_fence_home(p_owner bigint, p_epoch bigint) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    v_epoch bigint;
    v_state text;
BEGIN
    SELECT epoch, state INTO v_epoch, v_state
        FROM home_placement WHERE owner_id = p_owner FOR SHARE;
    IF NOT FOUND THEN
        INSERT INTO home_placement (owner_id, epoch, state)
            VALUES (p_owner, p_epoch, 'active') ON CONFLICT (owner_id) DO NOTHING;
        SELECT epoch, state INTO v_epoch, v_state
            FROM home_placement WHERE owner_id = p_owner FOR SHARE;
    END IF;
    IF v_state = 'moved' OR v_epoch <> p_epoch THEN
        RAISE EXCEPTION 'home of user % is not here (%, epoch %, routed with %)',
            p_owner, v_state, v_epoch, p_epoch USING ERRCODE = 'CZ001';
    END IF;
    IF v_state = 'moving' THEN
        RAISE EXCEPTION 'home of user % is moving', p_owner USING ERRCODE = 'CZ002';
    END IF;
END
$$;

-- PUT: p_first_start / p_last_end are Unix seconds, with the bigint
-- extremes standing for -infinity / infinity (as the object_upsert
-- statement).
CREATE FUNCTION cosmo_put_object(
    p_owner bigint, p_epoch bigint, p_parent text, p_name text,
    p_content_type text, p_body bytea, p_etag text, p_size bigint,
    p_indexed boolean, p_uid text, p_component text,
    p_first_start bigint, p_last_end bigint, p_recurring boolean,
    p_conditional boolean, p_expect_exists boolean, p_expect_etag text,
    OUT put_id bigint, OUT put_collection bigint, OUT put_created boolean,
    OUT put_created_us bigint, OUT put_modified_us bigint)
LANGUAGE plpgsql AS $$
DECLARE
    v_parent bigint;
    v_revision bigint;
    v_created_at timestamptz;
    v_modified_at timestamptz;
BEGIN
    PERFORM cosmo_fence_home(p_owner, p_epoch);

    SELECT c.id INTO v_parent
        FROM collection c WHERE c.owner_id = p_owner AND c.path = p_parent FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'parent collection missing: %', p_parent || p_name
            USING ERRCODE = 'CZ003';
    END IF;
    IF EXISTS (SELECT 1 FROM collection x
               WHERE x.owner_id = p_owner AND x.path = p_parent || p_name || '/') THEN
        RAISE EXCEPTION 'a collection exists at %', p_parent || p_name || '/'
            USING ERRCODE = 'CZ004';
    END IF;
    IF p_indexed AND EXISTS (SELECT 1 FROM object o WHERE o.collection_id = v_parent
                             AND o.uid = p_uid AND o.name <> p_name) THEN
        RAISE EXCEPTION 'duplicate UID in %', p_parent USING ERRCODE = 'CZ005';
    END IF;

    -- (xmax = 0) is true for a freshly inserted row, false for an update.
    -- A conditional write proposes a new row only while none exists when
    -- the object is expected absent, and updates only a row that still has
    -- the expected ETag; the collection lock makes "still" hold.
    INSERT INTO object AS o (collection_id, name, content_type, body, etag, size, uid,
                             component, first_start, last_end, recurring)
    SELECT v_parent, p_name, p_content_type, p_body, p_etag, p_size,
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
          OR EXISTS (SELECT 1 FROM object x WHERE x.collection_id = v_parent AND x.name = p_name)
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

    -- RFC 6578: every membership change gets a revision of the collection.
    UPDATE collection SET revision = revision + 1, modified_at = now()
        WHERE id = v_parent RETURNING revision INTO v_revision;
    INSERT INTO change_log (collection_id, revision, name, deleted)
        VALUES (v_parent, v_revision, p_name, false);

    put_collection := v_parent;
    put_created_us := (extract(epoch FROM v_created_at) * 1000000)::bigint;
    put_modified_us := (extract(epoch FROM v_modified_at) * 1000000)::bigint;
END
$$;

-- DELETE of one object: it, its dead properties and the locks rooted at it
-- go, and its parent logs the tombstone (RFC 6578 §3.5). p_id is the object
-- the request judged; with p_conditional, only while it has p_expect_etag.
CREATE FUNCTION cosmo_delete_object(
    p_owner bigint, p_epoch bigint, p_parent text, p_name text, p_id bigint,
    p_conditional boolean, p_expect_etag text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    v_parent bigint;
    v_revision bigint;
BEGIN
    PERFORM cosmo_fence_home(p_owner, p_epoch);

    SELECT c.id INTO v_parent
        FROM collection c WHERE c.owner_id = p_owner AND c.path = p_parent FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no parent of %', p_parent || p_name USING ERRCODE = 'CZ007';
    END IF;
    DELETE FROM object
        WHERE id = p_id AND collection_id = v_parent
          AND (NOT p_conditional OR etag = p_expect_etag);
    IF NOT FOUND THEN
        -- Judged present (a DELETE of an absent object is a 404 before it
        -- gets here): it changed or went since.
        IF p_conditional THEN
            RAISE EXCEPTION 'changed since judged: %', p_parent || p_name
                USING ERRCODE = 'CZ006';
        END IF;
        RAISE EXCEPTION 'no object %', p_parent || p_name USING ERRCODE = 'CZ007';
    END IF;
    DELETE FROM dead_property WHERE owner_id = p_owner AND path = p_parent || p_name;
    DELETE FROM dav_lock WHERE owner_id = p_owner AND root = p_parent || p_name;

    UPDATE collection SET revision = revision + 1, modified_at = now()
        WHERE id = v_parent RETURNING revision INTO v_revision;
    INSERT INTO change_log (collection_id, revision, name, deleted)
        VALUES (v_parent, v_revision, p_name, true);
END
$$;
