-- Shard database, version 4: a covering index for collection listings.
-- Applied by `cosmo migrate` in one transaction; never edit once applied
-- (schema/README.md).

-- PROPFIND Depth 1, sync-collection and the poll cycle list a collection's
-- objects with name, ETag, type, size and times only (never the body). With
-- the columns in the index PostgreSQL answers from it alone (an index-only
-- scan, already in name order) instead of visiting every wide heap row that
-- carries a body: on a 1,000-event calendar about 15 index pages instead of
-- about 700 heap pages (docs/performance.md). The same index serves the
-- path lookups of multiget and sync without bodies.
CREATE INDEX object_listing ON object (collection_id, name)
    INCLUDE (id, content_type, etag, size, created_at, modified_at);
