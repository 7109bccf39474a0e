-- Device cookies: a browser that signed in to an account with its password gets a random
-- nonce in a long-lived cookie; only the nonce's SHA-256 is kept here, with the account it was
-- given for. A sign-in with a trusted cookie for the typed ID's account is exempt from the ID's
-- and the address's waits and pauses, and counts its failures here instead: at the limit the
-- cookie is no longer trusted. Rows past `expires_at` are deleted by the housekeeping task.
CREATE TABLE device_cookies (
    nonce_hash TEXT PRIMARY KEY,
    account_id BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    failures BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX device_cookies_expires_at ON device_cookies (expires_at);
