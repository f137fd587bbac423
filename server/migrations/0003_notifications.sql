-- Notifications (issue 12). Instants are Unix seconds except the dispatcher's timers, which
-- are Unix milliseconds (backoff and rate steps are shorter than a second).

-- Where a staff member is reached besides the app, and on which channels ('ntfy,whatsapp,email').
ALTER TABLE users ADD COLUMN phone TEXT;
ALTER TABLE users ADD COLUMN email TEXT;
-- Secret ntfy topic, made on first use.
ALTER TABLE users ADD COLUMN ntfy_topic TEXT;
ALTER TABLE users ADD COLUMN notify_channels TEXT NOT NULL DEFAULT 'ntfy,whatsapp,email';

-- The requester's choice at submission (comma-separated); NULL: every channel with an address.
ALTER TABLE requests ADD COLUMN notify_channels TEXT;

-- The outbox: one row per event, written in the event's own transaction. The dispatcher expands
-- it (once, in one transaction) into notifications and their deliveries.
CREATE TABLE notify_events (
    id            INTEGER PRIMARY KEY,
    created_at    INTEGER NOT NULL,
    -- The core `notify::Event`, as JSON.
    event         TEXT NOT NULL,
    -- The request the event is about (whose requester a `Requester` notice reaches).
    request_id    TEXT,
    -- The acting staff member, who is not told about their own action.
    actor_user_id INTEGER,
    expanded      INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX notify_events_pending ON notify_events (id) WHERE expanded = 0;

-- One notice for one recipient: a staff account, or the requester of a request (their device).
CREATE TABLE notifications (
    id         TEXT PRIMARY KEY,
    event_id   INTEGER NOT NULL REFERENCES notify_events (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    kind       TEXT NOT NULL,
    priority   TEXT NOT NULL,
    user_id    INTEGER REFERENCES users (id) ON DELETE CASCADE,
    device_id  TEXT REFERENCES devices (id) ON DELETE CASCADE,
    request_id TEXT,
    link_type  TEXT NOT NULL,
    link_id    TEXT NOT NULL,
    title_id   TEXT NOT NULL,
    title_en   TEXT NOT NULL,
    body_id    TEXT NOT NULL,
    body_en    TEXT NOT NULL,
    read_at    INTEGER,
    version    INTEGER NOT NULL DEFAULT 1
) STRICT;
CREATE INDEX notifications_by_user ON notifications (user_id, created_at);
CREATE INDEX notifications_by_device ON notifications (device_id, created_at);

-- The delivery log: one row per notification and outbound channel. The idempotency key sent
-- with every attempt is 'sepiion-<notification id>-<channel>'.
CREATE TABLE deliveries (
    id              INTEGER PRIMARY KEY,
    notification_id TEXT NOT NULL REFERENCES notifications (id) ON DELETE CASCADE,
    channel         TEXT NOT NULL,
    address         TEXT NOT NULL,
    status          TEXT NOT NULL,          -- pending | sent | failed
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_ms INTEGER NOT NULL,
    last_error      TEXT,
    created_at      INTEGER NOT NULL,
    sent_at         INTEGER,
    -- Bumped by an admin's resend, which then goes out under a new key ('…-r<generation>').
    generation      INTEGER NOT NULL DEFAULT 0,
    UNIQUE (notification_id, channel)
) STRICT;
CREATE INDEX deliveries_due ON deliveries (status, next_attempt_ms);

-- What the scheduler already sent: one reminder per request, state and level; one digest per
-- leader and day.
CREATE TABLE notify_schedule (
    key     TEXT PRIMARY KEY,
    sent_at INTEGER NOT NULL
) STRICT;
