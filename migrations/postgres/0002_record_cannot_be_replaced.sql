-- The record cannot be emptied either: TRUNCATE fires no row triggers, so it gets a statement
-- trigger of its own (it also fires when another table's TRUNCATE … CASCADE reaches this one).
-- Dropping or disabling the triggers takes the table's owner: run the portal under a role that
-- does not own the schema (docs/ARCHITECTURE.md, "Database roles").
CREATE TRIGGER lifecycle_entries_no_truncate BEFORE TRUNCATE ON lifecycle_entries
    FOR EACH STATEMENT EXECUTE FUNCTION lifecycle_entries_append_only();
