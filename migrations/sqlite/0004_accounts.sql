-- People who sign in, the organisations they act for, and their sessions.
-- * The e-mail is kept as typed (for mail) and as a lower-case key (for finding the person).
-- * Passwords are stored only as Argon2id hashes (PHC strings); session tokens only as their
--   SHA-256, so a copy of this table does not sign anyone in.
CREATE TABLE people (
    id            INTEGER PRIMARY KEY,
    email         TEXT NOT NULL,
    email_key     TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    confirmed_at  TEXT,
    created_at    TEXT NOT NULL
);

-- A person acts for an organisation in a role; one person may hold several.
CREATE TABLE memberships (
    person_id BIGINT NOT NULL REFERENCES people (id),
    org_id    BIGINT NOT NULL REFERENCES organisations (id),
    role      TEXT NOT NULL CHECK (role IN ('operator', 'venue', 'manufacturer',
                  'service_provider', 'recycler', 'regulator')),
    PRIMARY KEY (person_id, org_id, role)
);

CREATE TABLE sessions (
    token_hash TEXT NOT NULL PRIMARY KEY,
    person_id  BIGINT NOT NULL REFERENCES people (id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX sessions_person ON sessions (person_id);
