-- How a session signed in: the time of the password sign-in that made it (seconds since the
-- epoch), or NULL for an anonymous session or one made by a card sign-in. Linking a card needs
-- a recent password sign-in, so a card cannot be swapped for another with the card alone.
ALTER TABLE session ADD COLUMN password_at BIGINT;

-- A session holds one live card challenge per purpose; a new one replaces the last by this key.
CREATE INDEX card_challenge_session ON card_challenge (session_hash, purpose);
