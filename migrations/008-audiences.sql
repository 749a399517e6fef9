--liquibase formatted sql

--changeset switchboard:008-lists
-- Klaviyo lists (static audiences). The table is migration 003's: the lists /client/subscriptions names
-- are these same rows. Lists created through /api/lists get a Klaviyo-style 6-character id; lists first
-- named by a subscription keep the id the client sent (name = id until renamed).
ALTER TABLE lists ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();
ALTER TABLE lists ADD COLUMN opt_in_process text CHECK (opt_in_process IN ('single_opt_in', 'double_opt_in'));
CREATE INDEX lists_created_idx ON lists (company_id, created_at, id);
