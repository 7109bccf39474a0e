-- Accounts a nurse can trust: single-use links by mail, the mail outbox, sign-in throttling.

-- When the password was last set, so that links issued before it are refused.
ALTER TABLE account ADD COLUMN password_changed_at INTEGER;

-- Single-use links mailed to a member. Only the SHA-256 of the link's 256 random bits is kept.
-- `purpose` is 'verify' (e-mail verification) or 'reset' (forgotten password). A link is
-- deleted when used, when a newer one of the same purpose is made, and when the password changes.
CREATE TABLE account_token (
    token_hash TEXT PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES account (account_id),
    purpose TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX account_token_by_account ON account_token (account_id, purpose);

-- Mail waiting to go out, and mail that went out. A sender claims a row by moving
-- `claimed_until` forward, so several processes never send the same mail twice at once. The
-- bodies are blanked once sent, since they may carry a link.
CREATE TABLE mail_outbox (
    mail_id INTEGER PRIMARY KEY,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    text_body TEXT NOT NULL,
    html_body TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    claimed_until INTEGER NOT NULL DEFAULT 0,
    sent_at INTEGER,
    last_error TEXT
);
CREATE INDEX mail_outbox_due ON mail_outbox (sent_at, next_attempt_at);

-- Failed password sign-ins, per account ('account:<id>') and per client address ('addr:<ip>').
CREATE TABLE sign_in_throttle (
    throttle_key TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    last_failure_at INTEGER NOT NULL,
    locked_until INTEGER NOT NULL
);
