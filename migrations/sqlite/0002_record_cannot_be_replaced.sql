-- The record cannot be rewritten by replacing a row either. `INSERT OR REPLACE` and
-- `REPLACE INTO` delete the row they collide with without firing the delete trigger (SQLite
-- fires it then only with recursive_triggers on), and an upsert's DO UPDATE would rewrite it.
-- An insert that collides with an existing entry is refused before any of that happens.
CREATE TRIGGER lifecycle_entries_no_replace BEFORE INSERT ON lifecycle_entries
WHEN EXISTS (
    SELECT 1 FROM lifecycle_entries
    WHERE id = NEW.id OR (robot_id = NEW.robot_id AND seq = NEW.seq)
)
BEGIN
    SELECT RAISE(ABORT, 'lifecycle entries are append-only');
END;
