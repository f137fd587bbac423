-- Private answer links: the requester of a portal submission answers staff (accepts or declines
-- a proposed time, supplies information, cancels) through `/jawab/{secret}` from any browser.
-- Only the secret's SHA-256 is kept; whoever holds the link acts as the submitting device.
CREATE TABLE answer_links (
    secret_hash TEXT PRIMARY KEY,
    request_id  TEXT NOT NULL REFERENCES requests(id) ON DELETE CASCADE,
    created_at  INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX answer_links_request ON answer_links (request_id);
