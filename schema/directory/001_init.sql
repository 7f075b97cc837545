-- Directory database, version 1: shards and users (DESIGN.md "Shard directory").
-- Applied by `cosmo migrate` in one transaction; never edit once applied
-- (schema/README.md).

CREATE TABLE IF NOT EXISTS schema_version (
    version    int PRIMARY KEY,
    applied_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE shard (
    id         serial PRIMARY KEY,
    name       text NOT NULL UNIQUE,
    dsn        text NOT NULL,
    state      text NOT NULL DEFAULT 'active'
               CHECK (state IN ('active', 'draining', 'readonly')),
    weight     int NOT NULL DEFAULT 1 CHECK (weight > 0),
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE app_user (
    id            bigserial PRIMARY KEY,
    name          text NOT NULL UNIQUE,
    email         text NOT NULL DEFAULT '',
    password_hash text NOT NULL DEFAULT '',
    disabled      boolean NOT NULL DEFAULT false,
    shard_id      int NOT NULL REFERENCES shard (id),
    -- Bumped by a move between shards (fencing of stale routes).
    epoch         bigint NOT NULL DEFAULT 0,
    created_at    timestamptz NOT NULL DEFAULT now()
);

-- Placement counts users per shard.
CREATE INDEX app_user_shard_id ON app_user (shard_id);
