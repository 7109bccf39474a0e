-- Growing delays before the soft lock: a sign-in on a key (a typed ID number or a client
-- address) is not looked at before `not_before` (seconds since the epoch; 0 when no delay).
-- Each failure moves it further on; a request that comes earlier is answered at once, without
-- a password check, so waiting costs the server nothing.
ALTER TABLE sign_in_throttle ADD COLUMN not_before INTEGER NOT NULL DEFAULT 0;
