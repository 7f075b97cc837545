-- Shard database, version 2: CalDAV query columns on object (DESIGN.md,
-- storage principles) and change-log retention by time (RFC 6578).
-- The columns are NULL for objects outside calendar collections.

ALTER TABLE object ADD COLUMN uid text;
ALTER TABLE object ADD COLUMN component text;
-- Earliest instance start / latest instance end ('-infinity' / 'infinity'
-- for open ends, e.g. an unbounded RRULE): the time-range prefilter.
ALTER TABLE object ADD COLUMN first_start timestamptz;
ALTER TABLE object ADD COLUMN last_end timestamptz;
ALTER TABLE object ADD COLUMN recurring boolean NOT NULL DEFAULT false;

-- RFC 4791 §5.3.2 no-uid-conflict is per calendar collection (CLIENTS.md §1.6:
-- a PUT to the new calendar before the DELETE from the old one must work).
CREATE UNIQUE INDEX object_collection_uid ON object (collection_id, uid)
    WHERE uid IS NOT NULL;
-- calendar-query: candidates of one component type overlapping a range.
CREATE INDEX object_time_range ON object (collection_id, component, first_start, last_end);

-- Retention purge finds old rows without a full scan.
CREATE INDEX change_log_changed_at ON change_log (changed_at);
