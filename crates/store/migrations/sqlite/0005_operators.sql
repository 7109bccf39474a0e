-- Operators: the staff who run the portal's content and help members. They are not members:
-- their own table, their own sessions, their own sign-in with a second factor.

-- `totp_secret` is the base32 TOTP key (RFC 6238). It cannot be hashed, since the server must
-- compute codes from it; a copy of the database therefore holds the second factor, though not
-- the password. `totp_last_step` is the 30-second step of the last code accepted, so that each
-- code works once.
CREATE TABLE operator (
    operator_id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    totp_secret TEXT NOT NULL,
    totp_last_step INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
);

-- Operator sessions, apart from member sessions so that neither kind can open the other's
-- pages. Like member sessions, a row exists before sign-in (for the CSRF token) with no operator.
CREATE TABLE operator_session (
    token_hash TEXT PRIMARY KEY,
    operator_id INTEGER REFERENCES operator (operator_id),
    csrf_token TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX operator_session_by_expiry ON operator_session (expires_at);

-- The operator who acted, on records of operator actions.
ALTER TABLE audit_log ADD COLUMN operator TEXT;
CREATE INDEX audit_log_by_event ON audit_log (event, at);
CREATE INDEX audit_log_by_account ON audit_log (account_id, at);

-- Links get dates of validity like quotes and videos.
ALTER TABLE link ADD COLUMN shown_from TEXT;
ALTER TABLE link ADD COLUMN shown_until TEXT;

-- Notices (最新消息) on the member home page, newest first.
CREATE TABLE notice (
    notice_id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    shown_from TEXT,
    shown_until TEXT
);
