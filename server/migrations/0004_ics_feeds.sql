-- Personal calendar feeds of staff accounts (issue 13). The secret in the feed's address is
-- stored as a SHA-256 hash only, like session tokens; renewing replaces the row, revoking
-- deletes it.
CREATE TABLE ics_feeds (
    user_id     INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    secret_hash TEXT NOT NULL UNIQUE,
    created_at  INTEGER NOT NULL
) STRICT;
