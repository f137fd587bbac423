-- The regency's WhatsApp number and mail server must not become a relay for anonymous forms
-- (issue 22, point 9).

-- Messages to requesters' addresses per channel, normalised destination and day in the
-- regency's zone: past `limits.messages_per_destination_per_day` a delivery is skipped.
CREATE TABLE destination_days (
    channel     TEXT NOT NULL,
    -- A phone as 62…, an e-mail address in lower case without its "+tag".
    destination TEXT NOT NULL,
    day         TEXT NOT NULL,          -- YYYY-MM-DD, regency's zone
    messages    INTEGER NOT NULL,
    PRIMARY KEY (channel, destination, day)
) STRICT, WITHOUT ROWID;

-- Requester addresses whose holder confirmed them by the link sent to that address alone:
-- only these receive a request's own words (title, names, reasons).
CREATE TABLE confirmed_contacts (
    channel      TEXT NOT NULL,
    destination  TEXT NOT NULL,
    confirmed_at INTEGER NOT NULL,
    PRIMARY KEY (channel, destination)
) STRICT, WITHOUT ROWID;

-- The confirmation links sent (only the secret's SHA-256 is kept).
CREATE TABLE contact_confirmations (
    secret_hash TEXT PRIMARY KEY,
    channel     TEXT NOT NULL,
    destination TEXT NOT NULL,
    created_at  INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- A delivery's own text when it is not its notification's (to an unconfirmed address: the
-- tracking code and fixed sentences only). NULL: the notification's.
ALTER TABLE deliveries ADD COLUMN title_ind TEXT;
ALTER TABLE deliveries ADD COLUMN body_ind TEXT;
ALTER TABLE deliveries ADD COLUMN title_en TEXT;
ALTER TABLE deliveries ADD COLUMN body_en TEXT;

-- deliveries.status may now also be 'skipped' (not sent on purpose; last_error says why).
