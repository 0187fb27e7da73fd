-- What each entry's hash covers is versioned (registry::record::entry_hash): entries written
-- before this column existed were hashed as version 1; every new entry says its version, so a
-- later change of what the hash covers leaves the older entries checkable.
ALTER TABLE lifecycle_entries ADD COLUMN hash_version BIGINT NOT NULL DEFAULT 1;
