-- Sessions end after a time without use; devices can be revoked by an admin; agenda items
-- remember when they were public, so a public device is sent a tombstone only for an item it
-- was sent as visible.

ALTER TABLE sessions ADD COLUMN last_used_at INTEGER NOT NULL DEFAULT 0;
UPDATE sessions SET last_used_at = created_at;
CREATE INDEX sessions_by_user ON sessions (user_id);

ALTER TABLE devices ADD COLUMN revoked_at INTEGER;

-- One row per stretch of time (in change sequence numbers) during which a record was visible
-- to the public: from the change that made it public to the change that hid it (NULL: still
-- public).
CREATE TABLE public_spans (
    entity    TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    from_seq  INTEGER NOT NULL,
    to_seq    INTEGER,
    PRIMARY KEY (entity, entity_id, from_seq)
) STRICT;
CREATE INDEX public_spans_open ON public_spans (entity, entity_id) WHERE to_seq IS NULL;

-- Public agenda items that exist now were public from the beginning of history.
INSERT INTO public_spans (entity, entity_id, from_seq, to_seq)
SELECT 'agenda_item', id, 0, NULL FROM agenda_items WHERE visibility = 'public';

-- The sync mutation an audit entry came from (NULL for REST calls and the command line).
ALTER TABLE audit_log ADD COLUMN mutation_id TEXT;
