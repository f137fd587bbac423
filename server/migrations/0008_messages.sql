-- What the messages say (issue 24).

-- The language the requester wrote in (the API's Accept-Language, the portal page's, the app's):
-- every message to them goes out in it. Requests from before it was kept stay Indonesian.
ALTER TABLE requests ADD COLUMN language TEXT NOT NULL DEFAULT 'id'
    CHECK (language IN ('id', 'en'));

-- A delivery the dispatcher has taken to send (milliseconds; NULL: free). It is set in the same
-- transaction that finds the delivery due, so two rounds never send one delivery; the dispatcher
-- frees its claims when it starts (a claim left by a crash is sent again, same key).
ALTER TABLE deliveries ADD COLUMN claimed_at_ms INTEGER;

-- `_id` means an identifier in this codebase: the Indonesian texts are `_ind` (ISO 639-2).
ALTER TABLE notifications RENAME COLUMN title_id TO title_ind;
ALTER TABLE notifications RENAME COLUMN body_id TO body_ind;
