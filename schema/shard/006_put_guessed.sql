-- PUT in one round trip (PgSession, "guessed" sessions; docs/performance.md).
-- A PUT normally reads first (the placement, the object, the parent, its
-- dead properties and the home's locks) and then writes. An app server that
-- wrote into the same parent before keeps what that read returned and
-- validates the new body against it; this function then checks, under the
-- parent's row lock, that what the server assumed still holds, and writes
-- with cosmo_put_object. If any assumption fails it raises CZ008 before
-- anything is written, and the server runs the request again the long way.
-- The object itself needs no check here: the server assumes exactly what
-- the request's precondition says (absent, or present with one ETag), and
-- cosmo_put_object's condition checks that (CZ006 -> 412).
--
--   CZ008 the server's copy of the parent or the home is stale -> kRetryable
CREATE FUNCTION cosmo_put_object_guessed(
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
    v_parent bigint;
    v_kind smallint;
BEGIN
    PERFORM cosmo_fence_home(p_owner, p_epoch);
    SELECT c.id, c.kind INTO v_parent, v_kind
        FROM collection c WHERE c.owner_id = p_owner AND c.path = p_parent FOR UPDATE;
    IF NOT FOUND OR v_parent <> p_parent_id OR v_kind <> p_parent_kind THEN
        RAISE EXCEPTION 'parent % is not the one assumed', p_parent USING ERRCODE = 'CZ008';
    END IF;
    -- What the request would have learnt from the first read: no live lock
    -- anywhere in the home, no collection at name/ (then the PUT means that
    -- collection: 405), and the parent's dead properties as validated against.
    IF EXISTS (SELECT 1 FROM dav_lock l WHERE l.owner_id = p_owner AND l.expires_at > now()) THEN
        RAISE EXCEPTION 'the home has locks' USING ERRCODE = 'CZ008';
    END IF;
    IF EXISTS (SELECT 1 FROM collection x
               WHERE x.owner_id = p_owner AND x.path = p_parent || p_name || '/') THEN
        RAISE EXCEPTION 'a collection exists at %', p_parent || p_name || '/'
            USING ERRCODE = 'CZ008';
    END IF;
    IF (SELECT ROW(coalesce(array_agg(p.ns ORDER BY p.ns, p.name), '{}'),
                   coalesce(array_agg(p.name ORDER BY p.ns, p.name), '{}'),
                   coalesce(array_agg(p.value_xml ORDER BY p.ns, p.name), '{}'))
            FROM dead_property p WHERE p.owner_id = p_owner AND p.path = p_parent)
       IS DISTINCT FROM ROW(p_props_ns, p_props_names, p_props_values) THEN
        RAISE EXCEPTION 'the properties of % changed', p_parent USING ERRCODE = 'CZ008';
    END IF;
    SELECT * INTO put_id, put_collection, put_created, put_created_us, put_modified_us
        FROM cosmo_put_object(p_owner, p_epoch, p_parent, p_name, p_content_type, p_body,
                              p_etag, p_size, p_indexed, p_uid, p_component, p_first_start,
                              p_last_end, p_recurring, p_conditional, p_expect_exists,
                              p_expect_etag);
END
$$;
