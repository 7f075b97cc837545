-- Shard database, version 10: the time-range index covers what a
-- calendar-query's candidate listing reads.
-- Applied by `cosmo migrate` in one transaction; never edit once applied
-- (schema/README.md).

-- A calendar-query reads its candidates without bodies (kResourcesInRange):
-- name, ETag, type, size, times and the index columns. With those in the
-- index, PostgreSQL answers from it alone (an index-only scan) instead of
-- visiting one heap page per candidate: a month of a 1,000-event calendar
-- is about 100 candidates on about 100 heap pages (the seed, like real use,
-- writes many calendars at once, so a calendar's rows are spread out), and
-- about 20 index pages this way. That visit was most of an uncached month
-- view's cost in PostgreSQL (docs/performance.md, session 26).
--
-- Replaces object_time_range (same key, so still one index entry per
-- write, a wider one: in the lab put-new was level and put-update within
-- its noise, 4% lower on average over seven alternating rounds). The build
-- locks writes to object while it runs: about a second per 100,000 objects
-- on the bench machine.
CREATE INDEX object_time_range_covering ON object (collection_id, component, first_start, last_end)
    INCLUDE (name, id, content_type, etag, size, created_at, modified_at, recurring);
DROP INDEX object_time_range;
