//! The cache database's schema. Migrations are only ever appended, never edited: an app update
//! brings an old database forward and keeps the user's cache and unsent changes.

use rusqlite::Connection;
use rusqlite_migration::{M, Migrations};

/// Version 1: the cache of server records, the outbox and the sync state.
const V1: &str = "
-- Every record the server sent this device, plus records made locally and not yet confirmed.
-- `server_json` is the record as the server last sent it (NULL: never seen on the server, or
-- no longer visible); `json` is what screens show: the server record with the pending outbox
-- entries re-applied on top. Both hold a sepiion_core::sync::Record as JSON.
CREATE TABLE records (
    kind           TEXT NOT NULL,
    id             TEXT NOT NULL,
    server_json    TEXT,
    server_version INTEGER,
    json           TEXT NOT NULL,
    leader_id      TEXT,
    starts_at      INTEGER,
    state          TEXT,
    request_id     TEXT,
    pending        INTEGER NOT NULL DEFAULT 0,
    conflict       INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (kind, id)
) WITHOUT ROWID;
CREATE INDEX records_by_leader_time ON records (kind, leader_id, starts_at);
CREATE INDEX records_by_state ON records (kind, state);
CREATE INDEX records_by_request ON records (kind, request_id);

-- Local changes in the order they were made. A confirmed change is deleted; one the server
-- answered with a conflict or a refusal stays, with the server's record or error, until the
-- user decides.
CREATE TABLE outbox (
    seq           INTEGER PRIMARY KEY AUTOINCREMENT,
    id            TEXT NOT NULL UNIQUE,
    kind          TEXT NOT NULL,
    record_id     TEXT NOT NULL,
    op            TEXT NOT NULL,
    base_version  INTEGER,
    created_at    INTEGER NOT NULL,
    status        TEXT NOT NULL DEFAULT 'pending'
                  CHECK (status IN ('pending', 'conflict', 'rejected')),
    error         TEXT,
    server_record TEXT
);
CREATE INDEX outbox_by_record ON outbox (kind, record_id, seq);

-- Cursor, last sync time, device token or staff session.
CREATE TABLE sync_state (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
";

/// Version 2: agenda reads by overlap (an event that began yesterday evening and runs past
/// midnight belongs to today's agenda too), which needs the end time as a column; and a count
/// of push attempts per outbox entry, shown next to changes that keep failing.
const V2: &str = "
ALTER TABLE records ADD COLUMN ends_at INTEGER;
UPDATE records SET ends_at = unixepoch(json_extract(json, '$.data.ends_at'))
 WHERE kind IN ('agenda_item', 'request');
DROP INDEX records_by_leader_time;
CREATE INDEX records_by_leader_time ON records (kind, leader_id, starts_at, ends_at);
ALTER TABLE outbox ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
";

/// Version 3: files the requester attached, kept on the device until the server has them.
/// `request_id` is NULL while the file belongs to the unsent form draft.
const V3: &str = "
CREATE TABLE attachments_outbox (
    id         TEXT PRIMARY KEY,
    request_id TEXT,
    filename   TEXT NOT NULL,
    data       BLOB NOT NULL,
    created_at INTEGER NOT NULL,
    status     TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'rejected')),
    error      TEXT
);
CREATE INDEX attachments_outbox_by_request ON attachments_outbox (request_id);
";

/// Version 4: for an agenda edit, the item as this device saw it when the edit was made (JSON
/// `AgendaItemInput`): the base of the field-level merge of "keep mine" after a conflict.
const V4: &str = "
ALTER TABLE outbox ADD COLUMN base_item TEXT;
";

/// Version 5: `records` as an ordinary (rowid) table. As a WITHOUT ROWID table its rows, which
/// hold a record's JSON twice (often more than a kilobyte), spilled into overflow pages inside
/// the primary key's b-tree: a full sync wrote about three times the pages, and the file grew
/// to about 5 KB per record. Same columns, same key and indexes.
const V5: &str = "
CREATE TABLE records_v5 (
    kind           TEXT NOT NULL,
    id             TEXT NOT NULL,
    server_json    TEXT,
    server_version INTEGER,
    json           TEXT NOT NULL,
    leader_id      TEXT,
    starts_at      INTEGER,
    state          TEXT,
    request_id     TEXT,
    pending        INTEGER NOT NULL DEFAULT 0,
    conflict       INTEGER NOT NULL DEFAULT 0,
    ends_at        INTEGER,
    PRIMARY KEY (kind, id)
);
INSERT INTO records_v5 (kind, id, server_json, server_version, json, leader_id, starts_at, state,
                        request_id, pending, conflict, ends_at)
SELECT kind, id, server_json, server_version, json, leader_id, starts_at, state, request_id,
       pending, conflict, ends_at
  FROM records;
DROP TABLE records;
ALTER TABLE records_v5 RENAME TO records;
CREATE INDEX records_by_leader_time ON records (kind, leader_id, starts_at, ends_at);
CREATE INDEX records_by_state ON records (kind, state);
CREATE INDEX records_by_request ON records (kind, request_id);
";

/// Version 6: `json` is NULL while what screens show is the server's record itself (no local
/// change on top), which is nearly always: each record's JSON was stored twice, so a full sync
/// wrote (and checkpointed) twice the bytes. Reads take `coalesce(json, server_json)`.
const V6: &str = "
CREATE TABLE records_v6 (
    kind           TEXT NOT NULL,
    id             TEXT NOT NULL,
    server_json    TEXT,
    server_version INTEGER,
    json           TEXT CHECK (json IS NOT NULL OR server_json IS NOT NULL),
    leader_id      TEXT,
    starts_at      INTEGER,
    state          TEXT,
    request_id     TEXT,
    pending        INTEGER NOT NULL DEFAULT 0,
    conflict       INTEGER NOT NULL DEFAULT 0,
    ends_at        INTEGER,
    PRIMARY KEY (kind, id)
);
INSERT INTO records_v6 (kind, id, server_json, server_version, json, leader_id, starts_at, state,
                        request_id, pending, conflict, ends_at)
SELECT kind, id, server_json, server_version,
       CASE WHEN json IS server_json THEN NULL ELSE json END,
       leader_id, starts_at, state, request_id, pending, conflict, ends_at
  FROM records;
DROP TABLE records;
ALTER TABLE records_v6 RENAME TO records;
CREATE INDEX records_by_leader_time ON records (kind, leader_id, starts_at, ends_at);
CREATE INDEX records_by_state ON records (kind, state);
CREATE INDEX records_by_request ON records (kind, request_id);
";

/// Version 7: attachments opened on this device (the invitation letter), kept so that they open
/// offline afterwards. Removed with the account's data on sign-out.
const V7: &str = "
CREATE TABLE attachment_files (
    id           TEXT PRIMARY KEY,
    request_id   TEXT NOT NULL,
    filename     TEXT NOT NULL,
    content_type TEXT NOT NULL,
    data         BLOB NOT NULL,
    fetched_at   INTEGER NOT NULL
);
";

/// The migrations, oldest first.
pub const MIGRATIONS: &[&str] = &[V1, V2, V3, V4, V5, V6, V7];

/// The schema version this build writes.
pub const LATEST: usize = MIGRATIONS.len();

fn migrations(upto: usize) -> Migrations<'static> {
    Migrations::new(MIGRATIONS[..upto].iter().map(|sql| M::up(sql)).collect())
}

/// Brings the database to the latest schema.
pub fn migrate(conn: &mut Connection) -> Result<(), rusqlite_migration::Error> {
    migrations(LATEST).to_latest(conn)
}

/// Brings a database to schema `version` exactly (for tests of upgrades from old versions).
pub fn migrate_to(conn: &mut Connection, version: usize) -> Result<(), rusqlite_migration::Error> {
    migrations(version.min(LATEST)).to_latest(conn)
}

/// The schema version of an open database.
pub fn version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.pragma_query_value(None, "user_version", |r| r.get(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_valid() {
        assert!(migrations(LATEST).validate().is_ok());
    }
}
