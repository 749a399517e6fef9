--liquibase formatted sql

--changeset switchboard:001-companies
-- The tenant directory. Its primary key *is* the company id; public_id is the one global lookup
-- (a browser page carries it), so its unique index cannot start with company_id.
CREATE TABLE companies (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    public_id   varchar(6)  NOT NULL,
    name        text        NOT NULL,
    settings    jsonb       NOT NULL DEFAULT '{}'::jsonb,
    created_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT companies_public_id_format CHECK (public_id ~ '^[A-Za-z0-9]{6}$')
);
CREATE UNIQUE INDEX companies_public_id_key ON companies (public_id);

--changeset switchboard:001-api-keys
-- Keys are stored only as SHA-256 hashes plus an 8-character display prefix.
-- key_hash is looked up before the company is known, so it has a plain (non-unique) index;
-- 190 random bits make collisions impossible in practice.
CREATE TABLE api_keys (
    company_id  bigint      NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    id          bigint GENERATED ALWAYS AS IDENTITY,
    kind        text        NOT NULL CHECK (kind IN ('public', 'secret')),
    name        text        NOT NULL DEFAULT '',
    prefix      varchar(8)  NOT NULL,
    key_hash    bytea       NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    revoked_at  timestamptz,
    PRIMARY KEY (company_id, id)
);
CREATE INDEX api_keys_hash_idx ON api_keys (key_hash);
