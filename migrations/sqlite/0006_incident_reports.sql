-- Incident reports filed by people, their history and their photos.
-- * The old `incidents` table (a seeded summary nobody read) goes: what the public counts is
--   the robot's record, where a regulator's confirmation files an `incident_reported` entry.
-- * A report's reference (INC-{year}-{id:06}) is derived from its id and the year it was filed.
-- * Its history is append-only: each step is a new event, never an edited one.
-- * Photos are stored re-encoded (JPEG, no metadata) in the database, so that every instance
--   can serve them; each belongs to the event that added it.
DROP TABLE incidents;

CREATE TABLE incident_reports (
    id                  INTEGER PRIMARY KEY,
    robot_id            BIGINT NOT NULL REFERENCES robots (id),
    reporter_id         BIGINT NOT NULL REFERENCES people (id),
    occurred_at         TEXT NOT NULL,
    place               TEXT NOT NULL,
    category            TEXT NOT NULL CHECK (category IN ('collision_injury', 'fall',
                            'malfunction', 'unsafe_behaviour', 'privacy', 'property_damage',
                            'suspected_tampering', 'suspected_fake_label', 'other')),
    severity            TEXT NOT NULL CHECK (severity IN ('minor', 'serious', 'critical')),
    near_miss           BIGINT NOT NULL CHECK (near_miss IN (0, 1)),
    description         TEXT NOT NULL,
    contact_preference  TEXT NOT NULL CHECK (contact_preference IN ('email', 'phone',
                            'no_contact')),
    phone               TEXT,
    share_contact       BIGINT NOT NULL CHECK (share_contact IN (0, 1)),
    status              TEXT NOT NULL CHECK (status IN ('submitted', 'acknowledged',
                            'investigating', 'resolved', 'dismissed')),
    confirmed_at        TEXT,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    -- The last event the reporter has seen: what is newer is news in their inbox.
    reporter_seen_event BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX incident_reports_robot ON incident_reports (robot_id);
CREATE INDEX incident_reports_reporter ON incident_reports (reporter_id);
CREATE INDEX incident_reports_status ON incident_reports (status);

CREATE TABLE incident_events (
    id        INTEGER PRIMARY KEY,
    report_id BIGINT NOT NULL REFERENCES incident_reports (id),
    at        TEXT NOT NULL,
    person_id BIGINT NOT NULL REFERENCES people (id),
    -- The organisation the person acted for (none for the reporter).
    org_id    BIGINT REFERENCES organisations (id),
    kind      TEXT NOT NULL CHECK (kind IN ('submitted', 'information_added', 'acknowledged',
                  'investigating', 'resolved', 'dismissed', 'confirmed')),
    note      TEXT NOT NULL
);
CREATE INDEX incident_events_report ON incident_events (report_id, id);

CREATE TABLE incident_photos (
    id         INTEGER PRIMARY KEY,
    report_id  BIGINT NOT NULL REFERENCES incident_reports (id),
    event_id   BIGINT NOT NULL REFERENCES incident_events (id),
    jpeg       BLOB NOT NULL,
    width      BIGINT NOT NULL,
    height     BIGINT NOT NULL
);
CREATE INDEX incident_photos_report ON incident_photos (report_id, id);

CREATE TRIGGER incident_events_no_update BEFORE UPDATE ON incident_events
BEGIN
    SELECT RAISE(ABORT, 'incident events are append-only');
END;
CREATE TRIGGER incident_events_no_delete BEFORE DELETE ON incident_events
BEGIN
    SELECT RAISE(ABORT, 'incident events are append-only');
END;

-- The public profile counts a robot's confirmed incidents of the last 12 months in its one
-- query: read from this index alone, without the entries' rows.
CREATE INDEX lifecycle_entries_kind ON lifecycle_entries (robot_id, kind, occurred_at);
