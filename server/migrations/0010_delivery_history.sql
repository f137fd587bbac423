-- A resend keeps a delivery's history (issue 24): `attempts` counts every attempt since the
-- delivery was made and `last_error` keeps the latest error; `attempts_before_resend` holds the
-- attempts made before the latest resend, so that the retry limit and the backoff apply to the
-- attempts of each resend on their own.
ALTER TABLE deliveries ADD COLUMN attempts_before_resend INTEGER NOT NULL DEFAULT 0;
