-- Shard database, version 1: homes, collections, objects, dead properties,
-- change log (RFC 6578 sync) and WebDAV locks (RFC 4918 §6).
-- Applied by `cosmo migrate` in one transaction; never edit once applied
-- (schema/README.md).

CREATE TABLE IF NOT EXISTS schema_version (
    version    int PRIMARY KEY,
    applied_at timestamptz NOT NULL DEFAULT now()
);

-- A collection of one owner's home. path is relative to the home: "" is the
-- home itself, every other path ends in '/' ("calendar/", "a/b/").
CREATE TABLE collection (
    id          bigserial PRIMARY KEY,
    owner_id    bigint NOT NULL,
    path        text NOT NULL,
    parent_id   bigint REFERENCES collection (id) ON DELETE CASCADE,
    kind        smallint NOT NULL DEFAULT 0,  -- store::CollectionKind
    revision    bigint NOT NULL DEFAULT 0,    -- last change_log revision (sync, ctag)
    created_at  timestamptz NOT NULL DEFAULT now(),
    modified_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (owner_id, path),
    CHECK (path = '' OR right(path, 1) = '/')
);
CREATE INDEX collection_parent_id ON collection (parent_id);

-- A resource (calendar object or plain file), stored byte for byte.
-- CalDAV index columns (uid, component type, first start, last end,
-- recurring) come in a later migration.
CREATE TABLE object (
    id            bigserial PRIMARY KEY,
    collection_id bigint NOT NULL REFERENCES collection (id) ON DELETE CASCADE,
    name          text NOT NULL,
    content_type  text NOT NULL DEFAULT '',
    body          bytea NOT NULL,
    etag          text NOT NULL,  -- strong; changes exactly when body changes
    size          bigint NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    modified_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (collection_id, name)
);

-- Dead properties, keyed by path so that copy/move/delete rewrite them with
-- one prefix statement. A collection move rewrites every row under it.
CREATE TABLE dead_property (
    owner_id  bigint NOT NULL,
    path      text NOT NULL,
    ns        text NOT NULL,
    name      text NOT NULL,
    value_xml text NOT NULL,
    PRIMARY KEY (owner_id, path, ns, name)
);

-- One row per change of a collection's membership (RFC 6578): name is the
-- member name ("a.ics", or "sub/" for a child collection); deleted marks a
-- tombstone. revision equals collection.revision after the change.
CREATE TABLE change_log (
    collection_id bigint NOT NULL REFERENCES collection (id) ON DELETE CASCADE,
    revision      bigint NOT NULL,
    name          text NOT NULL,
    deleted       boolean NOT NULL DEFAULT false,
    changed_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (collection_id, revision)
);

-- WebDAV locks (RFC 4918 §6). root may name an unmapped resource.
-- expires_at is 'infinity' for an infinite timeout.
CREATE TABLE dav_lock (
    token           text PRIMARY KEY,
    owner_id        bigint NOT NULL,
    root            text NOT NULL,
    exclusive       boolean NOT NULL,
    depth_infinity  boolean NOT NULL,
    owner_xml       text NOT NULL DEFAULT '',
    principal       text NOT NULL DEFAULT '',
    timeout_seconds bigint NOT NULL DEFAULT 0,
    expires_at      timestamptz NOT NULL
);
CREATE INDEX dav_lock_owner_root ON dav_lock (owner_id, root);
