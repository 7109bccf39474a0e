-- The first schema: the registry (owned by source systems, loaded by import), the portal's own
-- accounts and sessions, home page content and the audit log.
--
-- Conventions: singular table names, `<table>_id` keys, dates as ISO text (YYYY-MM-DD), instants
-- as whole seconds since the Unix epoch, CE points as whole hundredths of a point.

CREATE TABLE institution (
    nhi_code TEXT PRIMARY KEY,
    name TEXT NOT NULL
);

CREATE TABLE person (
    person_id INTEGER PRIMARY KEY,
    id_number TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    birth_date TEXT NOT NULL,
    sex TEXT NOT NULL CHECK (sex IN ('F', 'M'))
);

CREATE TABLE certificate (
    certificate_id INTEGER PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES person (person_id),
    profession TEXT NOT NULL,
    number TEXT NOT NULL,
    issued_on TEXT NOT NULL,
    UNIQUE (profession, number)
);
CREATE INDEX certificate_by_person ON certificate (person_id);

CREATE TABLE licence (
    licence_id INTEGER PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES person (person_id),
    profession TEXT NOT NULL,
    certificate_number TEXT NOT NULL,
    number TEXT NOT NULL,
    authority TEXT NOT NULL,
    institution_code TEXT REFERENCES institution (nhi_code),
    registered_on TEXT NOT NULL,
    renewal_due TEXT NOT NULL,
    status TEXT NOT NULL,
    UNIQUE (authority, number)
);
CREATE INDEX licence_by_person ON licence (person_id, registered_on);

CREATE TABLE licence_event (
    licence_event_id INTEGER PRIMARY KEY,
    licence_id INTEGER NOT NULL REFERENCES licence (licence_id),
    kind TEXT NOT NULL,
    happened_on TEXT NOT NULL,
    note TEXT
);
CREATE INDEX licence_event_by_licence ON licence_event (licence_id, happened_on);

CREATE TABLE credit (
    credit_id INTEGER PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES person (person_id),
    course_code TEXT NOT NULL,
    title TEXT NOT NULL,
    organiser TEXT NOT NULL,
    reviewer TEXT NOT NULL,
    activity INTEGER NOT NULL,
    role TEXT NOT NULL,
    category TEXT NOT NULL,
    infection_control BOOLEAN NOT NULL,
    gender BOOLEAN NOT NULL,
    taken_on TEXT NOT NULL,
    points INTEGER NOT NULL,
    invalid_reason TEXT
);
CREATE INDEX credit_by_person ON credit (person_id, taken_on);

CREATE TABLE learning (
    learning_id INTEGER PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES person (person_id),
    course TEXT NOT NULL,
    minutes INTEGER NOT NULL,
    completed_on TEXT NOT NULL
);
CREATE INDEX learning_by_person ON learning (person_id);

CREATE TABLE account (
    account_id INTEGER PRIMARY KEY,
    person_id INTEGER NOT NULL UNIQUE REFERENCES person (person_id),
    email TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    -- The version of the password policy the password was checked against when it was set.
    policy_version INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    verified_at INTEGER
);

-- Sessions are server-side. The cookie holds a random token; only its SHA-256 is stored, so a
-- copy of the database does not hand out live sessions. A session exists before sign-in too
-- (for the CSRF token and the captcha) with no account.
CREATE TABLE session (
    token_hash TEXT PRIMARY KEY,
    account_id INTEGER REFERENCES account (account_id),
    csrf_token TEXT NOT NULL,
    captcha_hash TEXT,
    captcha_expires_at INTEGER,
    created_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    -- Absolute end; the idle timeout is checked against last_seen_at.
    expires_at INTEGER NOT NULL
);
CREATE INDEX session_by_account ON session (account_id);
CREATE INDEX session_by_expiry ON session (expires_at);

CREATE TABLE quote (
    quote_id INTEGER PRIMARY KEY,
    text TEXT NOT NULL,
    source TEXT NOT NULL,
    shown_from TEXT,
    shown_until TEXT
);

CREATE TABLE video (
    video_id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    platform TEXT NOT NULL,
    url TEXT NOT NULL,
    summary TEXT NOT NULL,
    position INTEGER NOT NULL,
    shown_from TEXT,
    shown_until TEXT
);

-- Links on the home page: `slot` is 'quick' for 快速連結 and 'history' for 護助歷史平台.
CREATE TABLE link (
    link_id INTEGER PRIMARY KEY,
    slot TEXT NOT NULL,
    title TEXT NOT NULL,
    url TEXT NOT NULL,
    position INTEGER NOT NULL
);

CREATE TABLE audit_log (
    audit_id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    event TEXT NOT NULL,
    outcome TEXT NOT NULL,
    account_id INTEGER,
    -- The masked ID number that was typed, when the event is about one (never the full number).
    subject TEXT,
    client_addr TEXT,
    user_agent TEXT,
    request_id TEXT
);
CREATE INDEX audit_log_by_time ON audit_log (at);
