-- Card sign-in with the HCA healthcare professional card.

-- The card certificate linked to an account. A member links one card, right after a password
-- sign-in; a card (issuer and serial) belongs to at most one account. The holder's national ID
-- is never read from the card: the member is found through this row.
CREATE TABLE card_binding (
    account_id INTEGER PRIMARY KEY REFERENCES account (account_id),
    -- SHA-256 of the issuer name's DER, ':', the serial in hex.
    issuer_serial TEXT NOT NULL UNIQUE,
    key_sha256 TEXT NOT NULL,
    holder_name TEXT NOT NULL,
    serial_hex TEXT NOT NULL,
    not_after INTEGER NOT NULL,
    bound_at INTEGER NOT NULL
);

-- Challenges the card signs. Only the SHA-256 of the challenge is kept, with the session it was
-- issued to; a challenge is deleted when used, so it can be used once, on any server process.
-- `purpose` is 'sign_in' or 'bind'.
CREATE TABLE card_challenge (
    challenge_hash TEXT PRIMARY KEY,
    session_hash TEXT NOT NULL,
    purpose TEXT NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX card_challenge_expiry ON card_challenge (expires_at);
