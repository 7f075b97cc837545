-- Directory database, version 2: moves of users between shards in progress
-- (`cosmo user move`). Applied by `cosmo migrate` in one transaction; never
-- edit once applied (schema/README.md).

-- A row exists from the moment a move starts until it has fully finished
-- or been rolled back, so that a mover killed at any step is recovered by
-- the next run: the directory's app_user.shard_id/epoch (the commit point)
-- says whether to finish (switched) or roll back (not switched).
CREATE TABLE user_move (
    user_id      bigint PRIMARY KEY REFERENCES app_user (id),
    source_shard int NOT NULL REFERENCES shard (id),
    target_shard int NOT NULL REFERENCES shard (id),
    from_epoch   bigint NOT NULL,  -- app_user.epoch when the move began
    started_at   timestamptz NOT NULL DEFAULT now()
);
