-- Operator names are case-insensitive: `chen.mei`, `CHEN.MEI` and `Chen.Mei` are one operator.
-- Names are kept lowercase, and the index refuses a second spelling of a name should anything
-- but `huzhu operator add` (which lowercases) ever write one. Two names that differ only by
-- case would merge here; `huzhu migrate` refuses such a database before this runs and names
-- them (see `Store::migrate`).
UPDATE operator SET username = lower(username) WHERE username <> lower(username);
CREATE UNIQUE INDEX operator_username_lowercase ON operator (lower(username));
