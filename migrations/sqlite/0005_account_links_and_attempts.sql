-- Links sent by mail (confirm an address, reset a password) and the attempts counted against
-- guessing.
-- * A link's token is stored only as its SHA-256; it works until it expires or is used once.
CREATE TABLE account_tokens (
    token_hash TEXT NOT NULL PRIMARY KEY,
    person_id  BIGINT NOT NULL REFERENCES people (id),
    purpose    TEXT NOT NULL CHECK (purpose IN ('confirm', 'reset')),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at    TEXT
);
CREATE INDEX account_tokens_person ON account_tokens (person_id);

-- Attempts per bucket (an account's e-mail key, a client address) in fixed windows, counted
-- in the database so that every instance shares one budget. `window_start` is in seconds
-- since 1970.
CREATE TABLE attempts (
    bucket       TEXT NOT NULL,
    window_start BIGINT NOT NULL,
    count        BIGINT NOT NULL,
    PRIMARY KEY (bucket, window_start)
);
CREATE INDEX attempts_window ON attempts (window_start);
