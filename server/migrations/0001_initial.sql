-- Sepiion server schema, version 1. Instants are Unix seconds (UTC).

CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL) STRICT;
INSERT INTO counters (name, value) VALUES ('seq', 0);

CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;

-- One row per synced record: the sequence number of its latest change. A row whose record no
-- longer exists is a tombstone.
CREATE TABLE change_log (
    entity    TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    seq       INTEGER NOT NULL UNIQUE,
    PRIMARY KEY (entity, entity_id)
) STRICT;

CREATE TABLE leaders (
    id         TEXT PRIMARY KEY,
    title      TEXT NOT NULL,
    name       TEXT NOT NULL,
    sort_order INTEGER NOT NULL,
    version    INTEGER NOT NULL DEFAULT 1
) STRICT;

CREATE TABLE representatives (
    id       TEXT PRIMARY KEY,
    name     TEXT NOT NULL,
    position TEXT NOT NULL,
    active   INTEGER NOT NULL DEFAULT 1,
    version  INTEGER NOT NULL DEFAULT 1
) STRICT;

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE COLLATE NOCASE,
    display_name  TEXT NOT NULL,
    role          TEXT NOT NULL,
    leader_id     TEXT REFERENCES leaders (id),
    password_hash TEXT NOT NULL,
    active        INTEGER NOT NULL DEFAULT 1,
    created_at    INTEGER NOT NULL
) STRICT;

-- Session and device tokens are stored as SHA-256 hashes only.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
) STRICT;

CREATE TABLE devices (
    id         TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    last_seen  INTEGER NOT NULL
) STRICT;

CREATE TABLE agenda_items (
    id                TEXT PRIMARY KEY,
    leader_id         TEXT NOT NULL REFERENCES leaders (id),
    title             TEXT NOT NULL,
    starts_at         INTEGER NOT NULL,
    ends_at           INTEGER NOT NULL,
    location          TEXT NOT NULL,
    category          TEXT NOT NULL,
    visibility        TEXT NOT NULL,
    status            TEXT NOT NULL,
    attendance        TEXT NOT NULL,
    representative    TEXT,
    dress_code        TEXT NOT NULL,
    assigned_staff    TEXT NOT NULL DEFAULT '[]',
    running_order     TEXT NOT NULL DEFAULT '',
    internal_notes    TEXT NOT NULL DEFAULT '',
    source_request_id TEXT,
    ical_sequence     INTEGER NOT NULL DEFAULT 0,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    version           INTEGER NOT NULL DEFAULT 1
) STRICT;
CREATE INDEX agenda_by_leader_time ON agenda_items (leader_id, starts_at);

CREATE TABLE requests (
    id                 TEXT PRIMARY KEY,
    tracking_code      TEXT NOT NULL UNIQUE,
    device_id          TEXT REFERENCES devices (id),
    kind               TEXT NOT NULL,
    leader_id          TEXT REFERENCES leaders (id),
    assigned_leader_id TEXT REFERENCES leaders (id),
    title              TEXT NOT NULL,
    description        TEXT NOT NULL,
    starts_at          INTEGER NOT NULL,
    ends_at            INTEGER NOT NULL,
    location           TEXT NOT NULL,
    organizer          TEXT NOT NULL,
    requester_name     TEXT NOT NULL,
    requester_phone    TEXT NOT NULL,
    requester_email    TEXT,
    expected_attendees INTEGER NOT NULL,
    leader_role        TEXT NOT NULL,
    dress_code         TEXT NOT NULL,
    letter_number      TEXT,
    state              TEXT NOT NULL,
    state_reason       TEXT,
    representative     TEXT,
    proposed_starts_at INTEGER,
    proposed_ends_at   INTEGER,
    supplied_info      TEXT,
    agenda_item_id     TEXT REFERENCES agenda_items (id),
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL,
    version            INTEGER NOT NULL DEFAULT 1
) STRICT;
CREATE INDEX requests_by_device ON requests (device_id);
CREATE INDEX requests_by_state ON requests (state, starts_at);

CREATE TABLE request_events (
    id         INTEGER PRIMARY KEY,
    request_id TEXT NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
    at         INTEGER NOT NULL,
    from_state TEXT,
    to_state   TEXT NOT NULL,
    actor      TEXT NOT NULL,
    actor_role TEXT,
    actor_name TEXT,
    reason     TEXT
) STRICT;
CREATE INDEX events_by_request ON request_events (request_id, id);

CREATE TABLE attachments (
    id           TEXT PRIMARY KEY,
    request_id   TEXT NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
    filename     TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         INTEGER NOT NULL,
    data         BLOB NOT NULL,
    created_at   INTEGER NOT NULL
) STRICT;
CREATE INDEX attachments_by_request ON attachments (request_id);

CREATE TABLE notes (
    id           TEXT PRIMARY KEY,
    request_id   TEXT NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
    author_id    INTEGER NOT NULL REFERENCES users (id),
    author_name  TEXT NOT NULL,
    author_role  TEXT NOT NULL,
    instruction  TEXT NOT NULL,
    text         TEXT NOT NULL,
    created_at   INTEGER NOT NULL
) STRICT;
CREATE INDEX notes_by_request ON notes (request_id, created_at);

-- Every pushed mutation id, with the answer it got: a replay gets "already applied".
CREATE TABLE applied_mutations (
    id         TEXT PRIMARY KEY,
    caller     TEXT NOT NULL,
    status     TEXT NOT NULL,
    result     TEXT NOT NULL,
    applied_at INTEGER NOT NULL
) STRICT;

CREATE TABLE audit_log (
    id        INTEGER PRIMARY KEY,
    at        INTEGER NOT NULL,
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,
    entity    TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    detail    TEXT NOT NULL
) STRICT;
