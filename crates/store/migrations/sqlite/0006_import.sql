-- Loading the registry from the source systems' files (`huzhu import`).
--
-- Every imported row is matched on its natural key, so that loading a file twice changes
-- nothing: institutions by NHI code, people by ID number, certificates by profession and
-- number, licences by authority and number (all unique since 0001), and the rows below by
-- what identifies them in the source systems' exports.

-- One record of the CE ledger: a member, an approved course, the member's part in it, on a day,
-- and the part of the course the row approves: its category and whether it is the course's
-- infection-control or gender part. A course is split into rows that way (e.g. 3.6 points of
-- law and 1.8 points of law on gender equality).
CREATE UNIQUE INDEX credit_natural_key
    ON credit (person_id, course_code, category, role, taken_on, infection_control, gender);

-- The portal's e-learning log has no course code: a course completed on a day is one record.
CREATE UNIQUE INDEX learning_natural_key ON learning (person_id, course, completed_on);

-- A licence has at most one event of a kind on one day.
CREATE UNIQUE INDEX licence_event_natural_key ON licence_event (licence_id, kind, happened_on);

-- One row per run of `huzhu import`. A run that was killed keeps `finished_at` empty; its
-- committed batches stay, and running the same file again completes the load.
CREATE TABLE import_run (
    import_run_id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    file_name TEXT NOT NULL,
    file_bytes INTEGER NOT NULL,
    encoding TEXT NOT NULL,
    started_at INTEGER NOT NULL,
    finished_at INTEGER,
    rows_read INTEGER NOT NULL DEFAULT 0,
    rows_written INTEGER NOT NULL DEFAULT 0,
    rows_rejected INTEGER NOT NULL DEFAULT 0
);
