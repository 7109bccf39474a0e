-- The browser a member signed in with (its User-Agent header, cut to 256 characters), so the
-- account page can name each of her live sessions. NULL for sessions made before this column,
-- for anonymous sessions, and for a browser that sent none.
ALTER TABLE session ADD COLUMN user_agent TEXT;
