-- How a session signed in: the time of the password sign-in that made it (seconds since the
-- epoch), or NULL for an anonymous session or one made by a card sign-in. Linking a card needs
-- a recent password sign-in, so a card cannot be swapped for another with the card alone.
ALTER TABLE session ADD COLUMN password_at BIGINT;
