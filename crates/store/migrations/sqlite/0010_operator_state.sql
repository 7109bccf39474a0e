-- Operators can be disabled (`huzhu operator disable`) instead of deleted: their name stays in
-- the audit log's records, and `enable` lets them back in. Seconds since the epoch; NULL while
-- enabled. `last_sign_in_at` is the time of the operator's last successful sign-in, for
-- `huzhu operator list`; NULL when she never signed in.
ALTER TABLE operator ADD COLUMN disabled_at INTEGER;
ALTER TABLE operator ADD COLUMN last_sign_in_at INTEGER;
