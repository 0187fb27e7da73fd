-- The registry, first cut. Decisions recorded here:
-- * Integer columns are 64-bit on both databases so one row type decodes from either.
-- * Dates are ISO-8601 text ('YYYY-MM-DD', timestamps 'YYYY-MM-DDTHH:MM:SSZ'): they sort and
--   compare correctly as text and travel through sqlx's Any driver unchanged.
-- * Enumerations are stored as machine names (checked here) and translated on display.
-- * A robot's status is never stored. `robots` carries a projection of its lifecycle record
--   (lifecycle state, current parties, next inspection due, record size and head hash) that is
--   written only in the same transaction as the entry that changes it; the status is derived
--   from that projection, open recalls and today's date when it is read.

CREATE TABLE organisations (
    id              INTEGER PRIMARY KEY,
    kind            TEXT NOT NULL CHECK (kind IN ('manufacturer', 'operator', 'venue',
                        'service_provider', 'recycler', 'regulator')),
    name            TEXT NOT NULL,
    -- The 4-character manufacturer code inside every ID; only manufacturers have one.
    code            TEXT UNIQUE CHECK (code IS NULL OR length(code) = 4),
    country         TEXT NOT NULL,
    city            TEXT NOT NULL,
    phone           TEXT,
    email           TEXT,
    -- Answered around the clock: how a bystander gets a robot stopped.
    emergency_phone TEXT,
    complaint_email TEXT,
    hotline         TEXT,
    website         TEXT,
    CHECK ((kind = 'manufacturer') = (code IS NOT NULL))
);

CREATE TABLE models (
    id              INTEGER PRIMARY KEY,
    manufacturer_id BIGINT NOT NULL REFERENCES organisations (id),
    code            TEXT NOT NULL CHECK (length(code) = 6),
    name            TEXT NOT NULL,
    robot_type      TEXT NOT NULL,
    height_cm       BIGINT NOT NULL,
    mass_kg         BIGINT NOT NULL,
    max_speed_cms   BIGINT NOT NULL,
    payload_kg      BIGINT NOT NULL,
    battery_wh      BIGINT NOT NULL,
    dof             BIGINT NOT NULL,
    autonomy_level  BIGINT NOT NULL CHECK (autonomy_level BETWEEN 0 AND 5),
    stop_method     TEXT NOT NULL,
    UNIQUE (manufacturer_id, code)
);

CREATE TABLE venues (
    id      INTEGER PRIMARY KEY,
    org_id  BIGINT NOT NULL REFERENCES organisations (id),
    name    TEXT NOT NULL,
    kind    TEXT NOT NULL,
    address TEXT NOT NULL,
    city    TEXT NOT NULL
);

CREATE TABLE robots (
    id                  INTEGER PRIMARY KEY,
    robot_id            TEXT NOT NULL UNIQUE CHECK (length(robot_id) = 29),
    model_id            BIGINT NOT NULL REFERENCES models (id),
    serial              TEXT NOT NULL CHECK (length(serial) = 17),
    production_year     BIGINT NOT NULL,
    country             TEXT NOT NULL,
    -- Projection of the lifecycle record (see the note at the top).
    lifecycle           TEXT NOT NULL CHECK (lifecycle IN ('not_deployed', 'deployed',
                            'suspended', 'scrapped')),
    owner_id            BIGINT REFERENCES organisations (id),
    operator_id         BIGINT REFERENCES organisations (id),
    venue_id            BIGINT REFERENCES venues (id),
    next_inspection_due TEXT,
    record_entries      BIGINT NOT NULL,
    record_updated_at   TEXT NOT NULL,
    record_head         TEXT NOT NULL
);
CREATE INDEX robots_model_serial ON robots (model_id, serial);
CREATE INDEX robots_venue ON robots (venue_id);

-- Append-only: one row per event, each carrying the hash of the robot's previous entry, so a
-- rewritten history is detectable. Corrections are new entries pointing at `corrects_seq`.
CREATE TABLE lifecycle_entries (
    id           INTEGER PRIMARY KEY,
    robot_id     BIGINT NOT NULL REFERENCES robots (id),
    seq          BIGINT NOT NULL,
    kind         TEXT NOT NULL,
    occurred_at  TEXT NOT NULL,
    filed_by     BIGINT NOT NULL REFERENCES organisations (id),
    details      TEXT NOT NULL,
    corrects_seq BIGINT,
    prev_hash    TEXT NOT NULL,
    hash         TEXT NOT NULL,
    UNIQUE (robot_id, seq)
);

CREATE TABLE inspections (
    id           INTEGER PRIMARY KEY,
    robot_id     BIGINT NOT NULL REFERENCES robots (id),
    entry_seq    BIGINT NOT NULL,
    inspected_on TEXT NOT NULL,
    body_id      BIGINT NOT NULL REFERENCES organisations (id),
    result       TEXT NOT NULL CHECK (result IN ('pass', 'pass_with_remarks', 'fail')),
    next_due     TEXT NOT NULL
);
CREATE INDEX inspections_robot ON inspections (robot_id, inspected_on);

-- What the operator is approved to do with the robot where it is deployed.
CREATE TABLE permitted_roles (
    robot_id      BIGINT PRIMARY KEY REFERENCES robots (id),
    approved      TEXT NOT NULL,
    not_approved  TEXT NOT NULL,
    indoor_only   BIGINT NOT NULL CHECK (indoor_only IN (0, 1)),
    supervised    BIGINT NOT NULL CHECK (supervised IN (0, 1)),
    max_speed_cms BIGINT,
    hours         TEXT
);

CREATE TABLE data_notices (
    robot_id       BIGINT PRIMARY KEY REFERENCES robots (id),
    sensors        TEXT NOT NULL,
    purpose        TEXT NOT NULL,
    retention_days BIGINT NOT NULL,
    storage        TEXT NOT NULL,
    controller_id  BIGINT NOT NULL REFERENCES organisations (id),
    rights_contact TEXT NOT NULL
);

-- A recall covers a whole model, or a serial range of it when both bounds are set (serials are
-- fixed-width, so text comparison orders them).
CREATE TABLE recalls (
    id          INTEGER PRIMARY KEY,
    model_id    BIGINT NOT NULL REFERENCES models (id),
    serial_from TEXT,
    serial_to   TEXT,
    reference   TEXT NOT NULL UNIQUE,
    issued_on   TEXT NOT NULL,
    hazard      TEXT NOT NULL,
    remedy      TEXT NOT NULL,
    closed_on   TEXT,
    CHECK ((serial_from IS NULL) = (serial_to IS NULL))
);
CREATE INDEX recalls_model ON recalls (model_id);

CREATE TABLE recall_remedies (
    recall_id   BIGINT NOT NULL REFERENCES recalls (id),
    robot_id    BIGINT NOT NULL REFERENCES robots (id),
    remedied_on TEXT NOT NULL,
    PRIMARY KEY (recall_id, robot_id)
);

CREATE TABLE incidents (
    id          INTEGER PRIMARY KEY,
    robot_id    BIGINT NOT NULL REFERENCES robots (id),
    occurred_at TEXT NOT NULL,
    category    TEXT NOT NULL CHECK (category IN ('collision_injury', 'fall', 'malfunction',
                    'unsafe_behaviour', 'privacy', 'tampering', 'property_damage', 'other')),
    severity    TEXT NOT NULL CHECK (severity IN ('minor', 'serious', 'critical')),
    status      TEXT NOT NULL CHECK (status IN ('submitted', 'acknowledged', 'investigating',
                    'resolved', 'closed')),
    confirmed   BIGINT NOT NULL CHECK (confirmed IN (0, 1))
);
CREATE INDEX incidents_robot ON incidents (robot_id);

-- The record cannot be rewritten in place, whoever holds the connection.
CREATE TRIGGER lifecycle_entries_no_update BEFORE UPDATE ON lifecycle_entries
BEGIN
    SELECT RAISE(ABORT, 'lifecycle entries are append-only');
END;
CREATE TRIGGER lifecycle_entries_no_delete BEFORE DELETE ON lifecycle_entries
BEGIN
    SELECT RAISE(ABORT, 'lifecycle entries are append-only');
END;
