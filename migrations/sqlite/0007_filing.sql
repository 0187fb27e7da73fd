-- Filing by each party (issue 16), first part: who may file what.
-- * A robot's owner is the organisation in `robots.owner_id`; people act as its owner through a
--   membership in the new role 'owner' (transfer, lease, share codes), held at any kind of
--   organisation. SQLite cannot change a CHECK in place: the small `memberships` table, which
--   nothing references, is rebuilt with the wider list.
-- * A lease puts the lessee in `robots.operator_id` until it ends; `lessee_id` says a lease is
--   running (part of the projection, written only with the entry that changes it).
-- * An organisation's API tokens act in one role of that organisation, the role of the member
--   who made them; stored only as SHA-256, shown once.
-- * A service provider or recycler files for a robot only while engaged on it by the robot's
--   owner or operator.
-- * Every refused filing is kept: who tried, on what, and why.
CREATE TABLE memberships_new (
    person_id BIGINT NOT NULL REFERENCES people (id),
    org_id    BIGINT NOT NULL REFERENCES organisations (id),
    role      TEXT NOT NULL CHECK (role IN ('operator', 'venue', 'manufacturer',
                  'service_provider', 'recycler', 'regulator', 'owner')),
    PRIMARY KEY (person_id, org_id, role)
);
INSERT INTO memberships_new (person_id, org_id, role)
    SELECT person_id, org_id, role FROM memberships;
DROP TABLE memberships;
ALTER TABLE memberships_new RENAME TO memberships;

ALTER TABLE robots ADD COLUMN lessee_id BIGINT REFERENCES organisations (id);

CREATE TABLE api_tokens (
    id         INTEGER PRIMARY KEY,
    org_id     BIGINT NOT NULL REFERENCES organisations (id),
    role       TEXT NOT NULL,
    name       TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_by BIGINT NOT NULL REFERENCES people (id),
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
CREATE INDEX api_tokens_org ON api_tokens (org_id);

CREATE TABLE engagements (
    id         INTEGER PRIMARY KEY,
    robot_id   BIGINT NOT NULL REFERENCES robots (id),
    org_id     BIGINT NOT NULL REFERENCES organisations (id),
    engaged_by BIGINT NOT NULL REFERENCES organisations (id),
    started_at TEXT NOT NULL,
    ended_at   TEXT
);
CREATE INDEX engagements_robot ON engagements (robot_id, org_id);

CREATE TABLE filing_refusals (
    id        INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    robot_id  TEXT NOT NULL,
    kind      TEXT NOT NULL,
    person_id BIGINT,
    token_id  BIGINT,
    problem   TEXT NOT NULL
);
CREATE INDEX filing_refusals_robot ON filing_refusals (robot_id, at);

-- Share codes: an owner lets a buyer read the robot's provenance report. Only a keyed hash of
-- the code is kept (HMAC-SHA256 under the registry's share-code key), so a copy of this table
-- opens nothing. A code works for one robot, until it expires or is revoked, and only while
-- the organisation that issued it still owns the robot.
CREATE TABLE share_codes (
    id         INTEGER PRIMARY KEY,
    robot_id   BIGINT NOT NULL REFERENCES robots (id),
    code_hash  TEXT NOT NULL UNIQUE,
    org_id     BIGINT NOT NULL REFERENCES organisations (id),
    issued_by  BIGINT REFERENCES people (id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    revoked_at TEXT
);
CREATE INDEX share_codes_robot ON share_codes (robot_id);

-- Every opening of a provenance report: who, when, by what right. Append-only, like the record.
CREATE TABLE provenance_openings (
    id            INTEGER PRIMARY KEY,
    robot_id      BIGINT NOT NULL REFERENCES robots (id),
    opened_at     TEXT NOT NULL,
    person_id     BIGINT REFERENCES people (id),
    token_id      BIGINT,
    org_id        BIGINT REFERENCES organisations (id),
    via           TEXT NOT NULL CHECK (via IN ('share_code', 'regulator', 'owner')),
    share_code_id BIGINT REFERENCES share_codes (id)
);
CREATE INDEX provenance_openings_robot ON provenance_openings (robot_id, id);
CREATE TRIGGER provenance_openings_no_update BEFORE UPDATE ON provenance_openings
BEGIN
    SELECT RAISE(ABORT, 'provenance openings are append-only');
END;
CREATE TRIGGER provenance_openings_no_delete BEFORE DELETE ON provenance_openings
BEGIN
    SELECT RAISE(ABORT, 'provenance openings are append-only');
END;
CREATE TRIGGER provenance_openings_no_replace BEFORE INSERT ON provenance_openings
WHEN EXISTS (SELECT 1 FROM provenance_openings WHERE id = NEW.id)
BEGIN
    SELECT RAISE(ABORT, 'provenance openings are append-only');
END;
