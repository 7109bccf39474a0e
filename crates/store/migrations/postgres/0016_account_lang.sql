-- The language a member last used the portal in ('zh-TW' or 'en'), set at registration and at
-- each sign-in, so that mail she did not ask for herself (a pause someone else caused, a
-- warning about a registration with her details, a reset someone asked for) is written in her
-- language rather than in the language of whoever caused it. NULL until she next signs in.
ALTER TABLE account ADD COLUMN lang TEXT;
