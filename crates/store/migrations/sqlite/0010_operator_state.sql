-- Operators can be disabled (`huzhu operator disable`) instead of deleted: their name stays in
-- the audit log's records, and `enable` lets them back in. Seconds since the epoch; NULL while
-- enabled. `last_sign_in_at` is the time of the operator's last successful sign-in, for
-- `huzhu operator list`; NULL when she never signed in.
ALTER TABLE operator ADD COLUMN disabled_at INTEGER;
ALTER TABLE operator ADD COLUMN last_sign_in_at INTEGER;

-- A credit row with negative points is a correction from the credit system: a row of its own
-- beside the credit it corrects, so whether a row is a correction is part of its natural key.
-- Without it, loading a correction would overwrite the credit it corrects with the negative
-- figure.
DROP INDEX credit_natural_key;
CREATE UNIQUE INDEX credit_natural_key
    ON credit (person_id, course_code, category, role, taken_on, infection_control, gender, (points < 0));
