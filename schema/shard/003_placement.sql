-- Shard database, version 3: placement fencing (scale-out, online user moves).
-- Applied by `cosmo migrate` in one transaction; never edit once applied
-- (schema/README.md).

-- One row per user whose home is, or was, on this shard. Every session
-- reads it before serving an owner and every write holds it FOR SHARE, so
-- `cosmo user move` (UPDATE ... SET state = 'moving') waits for in-flight
-- writes and no write can commit on this shard after the move fenced it.
--   active : the home lives here; reads and writes allowed
--   moving : a move is copying the home away (or in); reads only (503 on writes)
--   moved  : tombstone; the home lives elsewhere (stale routes retry)
-- epoch equals app_user.epoch in the directory for an active home; a
-- session carrying another epoch is a stale route.
CREATE TABLE home_placement (
    owner_id   bigint PRIMARY KEY,
    epoch      bigint NOT NULL,
    state      text NOT NULL DEFAULT 'active'
               CHECK (state IN ('active', 'moving', 'moved')),
    changed_at timestamptz NOT NULL DEFAULT now()
);

-- Homes created before this version: their directory epoch is 0 (moves did
-- not exist yet).
INSERT INTO home_placement (owner_id, epoch, state)
SELECT DISTINCT owner_id, 0, 'active' FROM collection
ON CONFLICT (owner_id) DO NOTHING;
