-- Resumes a member issued (個人履歷), so an employer can verify one by its code, and the
-- counters behind the rate limits of the download and of the public verification page.
--
-- The code itself is never stored: only its SHA-256 (like session tokens), so a copy of the
-- database cannot be used to look resumes up. `code_hint` is the code's first group, which the
-- member sees in her list to tell her resumes apart.

CREATE TABLE issued_resume (
    resume_id INTEGER PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES person (person_id),
    code_hash TEXT NOT NULL UNIQUE,
    code_hint TEXT NOT NULL,
    language TEXT NOT NULL,
    -- The name as the verification page shows it: partly masked when the resume was issued.
    masked_name TEXT NOT NULL,
    -- The licence the resume stated, checked again on every verification.
    licence_id INTEGER REFERENCES licence (licence_id),
    issued_at INTEGER NOT NULL,
    revoked_at INTEGER
);
CREATE INDEX issued_resume_by_person ON issued_resume (person_id, issued_at);

-- What the resume stated, in its language, in order: what the verification page repeats.
CREATE TABLE issued_resume_fact (
    resume_id INTEGER NOT NULL REFERENCES issued_resume (resume_id),
    position INTEGER NOT NULL,
    label TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (resume_id, position)
);

-- Fixed-window counters: `hits` requests by `subject` (a person, a client address) in the
-- window starting at `window_start` (seconds since the epoch) of the limit named `bucket`.
CREATE TABLE rate_hit (
    bucket TEXT NOT NULL,
    subject TEXT NOT NULL,
    window_start INTEGER NOT NULL,
    hits INTEGER NOT NULL,
    PRIMARY KEY (bucket, subject, window_start)
);
CREATE INDEX rate_hit_by_window ON rate_hit (window_start);
