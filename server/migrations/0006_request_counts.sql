-- The staff inbox's counts per state without filters (its first screen) read these few rows
-- instead of one index entry per request, which grew with the years (bench/scale: 2.9x the CPU
-- at 50x the data). Kept by triggers, so every write path counts, whatever it is.
CREATE TABLE request_counts (
    state TEXT PRIMARY KEY,
    n     INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
INSERT INTO request_counts (state, n) SELECT state, COUNT(*) FROM requests GROUP BY state;

CREATE TRIGGER request_counts_insert AFTER INSERT ON requests BEGIN
    INSERT OR IGNORE INTO request_counts (state, n) VALUES (NEW.state, 0);
    UPDATE request_counts SET n = n + 1 WHERE state = NEW.state;
END;

CREATE TRIGGER request_counts_update AFTER UPDATE OF state ON requests
WHEN OLD.state IS NOT NEW.state BEGIN
    UPDATE request_counts SET n = n - 1 WHERE state = OLD.state;
    INSERT OR IGNORE INTO request_counts (state, n) VALUES (NEW.state, 0);
    UPDATE request_counts SET n = n + 1 WHERE state = NEW.state;
END;

CREATE TRIGGER request_counts_delete AFTER DELETE ON requests BEGIN
    UPDATE request_counts SET n = n - 1 WHERE state = OLD.state;
END;
