--liquibase formatted sql

--changeset switchboard:007-server-secrets
-- Secrets of the deployment itself, one row per purpose, made once by the first server that needs one
-- (INSERT ... ON CONFLICT DO NOTHING) so every server on this database shares them. Not tenant data, so
-- no company_id (the exception to "company_id first", like rate_limit_buckets); never returned by any API.
--   cursor_hmac: the HMAC key sealing list cursors (page[cursor]), unless config.yml sets cursorSecret.
CREATE TABLE server_secrets (
    name        text        NOT NULL PRIMARY KEY,
    secret      bytea       NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
