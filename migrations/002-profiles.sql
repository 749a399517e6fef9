--liquibase formatted sql

--changeset switchboard:002-profiles
-- One row per person per company. Identifier columns are a read copy of profile_identifiers
-- (which alone enforces uniqueness). A merged-away profile stays as a tombstone (merged_into).
CREATE TABLE profiles (
    company_id     bigint      NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    id             varchar(26) NOT NULL,
    external_id    text,
    email          text,
    phone_number   text,
    attributes     jsonb       NOT NULL DEFAULT '{}'::jsonb,
    properties     jsonb       NOT NULL DEFAULT '{}'::jsonb,
    -- last write time (epoch ms) per attribute / property key: "first_name", "location.city", "properties.plan"
    write_times    jsonb       NOT NULL DEFAULT '{}'::jsonb,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    last_event_at  timestamptz,
    merged_into    varchar(26),
    merged_at      timestamptz,
    PRIMARY KEY (company_id, id)
);
CREATE INDEX profiles_created_idx ON profiles (company_id, created_at, id) WHERE merged_into IS NULL;
CREATE INDEX profiles_updated_idx ON profiles (company_id, updated_at, id) WHERE merged_into IS NULL;
CREATE INDEX profiles_email_idx ON profiles (company_id, email) WHERE merged_into IS NULL;
CREATE INDEX profiles_merged_into_idx ON profiles (company_id, merged_into) WHERE merged_into IS NOT NULL;

--changeset switchboard:002-profile-identifiers
-- The claim table: at most one live owner per identifier value within a company.
CREATE TABLE profile_identifiers (
    company_id  bigint      NOT NULL,
    kind        text        NOT NULL CHECK (kind IN ('external_id', 'email', 'phone_number', 'anonymous_id')),
    value       text        NOT NULL,
    profile_id  varchar(26) NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (company_id, kind, value),
    FOREIGN KEY (company_id, profile_id) REFERENCES profiles (company_id, id) ON DELETE CASCADE
);
CREATE INDEX profile_identifiers_profile_idx ON profile_identifiers (company_id, profile_id);

--changeset switchboard:002-identity-history
-- Append-only audit of every create, attach, release, merge, alias, refused conflict and deletion.
CREATE TABLE identity_history (
    company_id   bigint      NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    id           bigint GENERATED ALWAYS AS IDENTITY,
    at           timestamptz NOT NULL DEFAULT now(),
    operation    text        NOT NULL,
    survivor_id  varchar(26),
    loser_id     varchar(26),
    identifiers  jsonb       NOT NULL DEFAULT '[]'::jsonb,
    rule         text        NOT NULL,
    credential   text        NOT NULL,
    source       text,
    snapshot     jsonb,
    PRIMARY KEY (company_id, id)
);
CREATE INDEX identity_history_survivor_idx ON identity_history (company_id, survivor_id, id);
CREATE INDEX identity_history_loser_idx ON identity_history (company_id, loser_id, id);
