-- Mail the sender stopped trying: the relay refused it for good (a 5xx reply), or it was
-- still not delivered once older than `mail_give_up_hours`. Its bodies are blanked as a sent
-- mail's are (they may carry a link); `last_error` keeps the relay's answer.
ALTER TABLE mail_outbox ADD COLUMN given_up_at BIGINT;
