--liquibase formatted sql

--changeset switchboard:003-events
-- Everything a person did, from every dialect. Partitioned by event time (RANGE, monthly): the app
-- creates the coming months' partitions at start-up and daily (EventPartitions); the default partition
-- catches anything outside them (historical imports, far-future clocks). Old months are dropped whole
-- (retention), never deleted row by row. The primary key must contain the partition key, hence
-- (company_id, occurred_at, id); the event id is a ULID whose time part IS occurred_at (ms), so a
-- lookup by id alone prunes to one partition.
-- Events are never rewritten by merges: a survivor's events are read through its tombstones
-- (profile_id = ANY(survivor + tombstones)).
CREATE TABLE events (
    company_id      bigint       NOT NULL,
    occurred_at     timestamptz  NOT NULL,
    id              varchar(26)  NOT NULL,
    profile_id      varchar(26)  NOT NULL,
    -- track (Parcelvoy/Klaviyo/Segment track), page, screen, identify, group, alias
    type            text         NOT NULL DEFAULT 'track',
    name            text,
    properties      jsonb        NOT NULL DEFAULT '{}'::jsonb,
    value           numeric,
    value_currency  text,
    received_at     timestamptz  NOT NULL DEFAULT now(),
    source          text         NOT NULL,
    -- the dialect's dedup key for this row (Klaviyo unique_id, Segment messageId, Parcelvoy message_id)
    dedup_key       text,
    raw             jsonb,
    PRIMARY KEY (company_id, occurred_at, id)
) PARTITION BY RANGE (occurred_at);
CREATE TABLE events_default PARTITION OF events DEFAULT;
-- "events of a profile by time" (profile timeline, Klaviyo filter profile_id, admin view)
CREATE INDEX events_profile_time_idx ON events (company_id, profile_id, occurred_at, id);
-- "events of a company by name and time" (metric filters, segments, triggers)
CREATE INDEX events_name_time_idx ON events (company_id, name, occurred_at, id);

--changeset switchboard:003-metrics
-- Klaviyo metric ids for event names (one row per distinct name per company).
CREATE TABLE metrics (
    company_id  bigint      NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    id          varchar(26) NOT NULL,
    name        text        NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (company_id, id)
);
CREATE UNIQUE INDEX metrics_name_key ON metrics (company_id, name);

--changeset switchboard:003-idempotency
-- Seen request/message keys, claimed with INSERT … ON CONFLICT DO NOTHING inside the request's own
-- transaction (so a key is "seen" exactly when the data it guards is committed). Scopes:
--   request       Parcelvoy Idempotency-Key header (whole request; fingerprint = body hash)
--   pv_message    Parcelvoy message_id on identify/alias/device/event items
--   segment       Segment/Dittofeed messageId (both dialects share it: one store)
--   kl_event      Klaviyo (profile, metric, unique_id) and the per-second fallback (profile, metric, time)
-- expires_at: rows are purged by the hourly cleanup job (IdempotencyCleaner), per company.
CREATE TABLE idempotency_keys (
    company_id   bigint      NOT NULL,
    scope        text        NOT NULL,
    key          text        NOT NULL,
    fingerprint  text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    PRIMARY KEY (company_id, scope, key)
);
CREATE INDEX idempotency_keys_expiry_idx ON idempotency_keys (company_id, expires_at);

--changeset switchboard:003-devices
-- Devices and push tokens. Upsert by (company, device_id) (Parcelvoy) or by (company, token)
-- (Klaviyo push-tokens without a device id). A token is on at most one device: registering it
-- elsewhere moves it. Merges move a loser's devices to the survivor.
CREATE TABLE devices (
    company_id         bigint      NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    id                 varchar(26) NOT NULL,
    device_id          text,
    profile_id         varchar(26) NOT NULL,
    token              text,
    platform           text,
    vendor             text,
    os                 text,
    os_version         text,
    model              text,
    app_build          text,
    app_version        text,
    enabled            boolean     NOT NULL DEFAULT true,
    enablement_status  text,
    background         text,
    metadata           jsonb       NOT NULL DEFAULT '{}'::jsonb,
    source             text        NOT NULL,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (company_id, id)
);
CREATE UNIQUE INDEX devices_device_id_key ON devices (company_id, device_id) WHERE device_id IS NOT NULL;
CREATE UNIQUE INDEX devices_token_key ON devices (company_id, token) WHERE token IS NOT NULL;
CREATE INDEX devices_profile_idx ON devices (company_id, profile_id);

--changeset switchboard:003-subscriptions
-- Consent per channel and purpose (email/sms/push × marketing/transactional); no row = never asked.
CREATE TABLE subscriptions (
    company_id    bigint      NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    profile_id    varchar(26) NOT NULL,
    channel       text        NOT NULL CHECK (channel IN ('email', 'sms', 'push')),
    purpose       text        NOT NULL CHECK (purpose IN ('marketing', 'transactional')),
    state         text        NOT NULL CHECK (state IN ('subscribed', 'unsubscribed')),
    consented_at  timestamptz,
    source        text        NOT NULL,
    custom_source text,
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (company_id, profile_id, channel, purpose)
);

CREATE TABLE lists (
    company_id  bigint      NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    id          text        NOT NULL,
    name        text        NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (company_id, id)
);

CREATE TABLE list_memberships (
    company_id  bigint      NOT NULL,
    list_id     text        NOT NULL,
    profile_id  varchar(26) NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (company_id, list_id, profile_id),
    FOREIGN KEY (company_id, list_id) REFERENCES lists (company_id, id) ON DELETE CASCADE
);
CREATE INDEX list_memberships_profile_idx ON list_memberships (company_id, profile_id);

--changeset switchboard:003-back-in-stock
CREATE TABLE back_in_stock_requests (
    company_id  bigint      NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    profile_id  varchar(26) NOT NULL,
    variant_id  text        NOT NULL,
    channels    text[]      NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (company_id, profile_id, variant_id)
);

--changeset switchboard:003-groups
-- Segment/Dittofeed `group`: a company-scoped group record with its traits, and who belongs to it.
CREATE TABLE groups (
    company_id  bigint      NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    group_id    text        NOT NULL,
    traits      jsonb       NOT NULL DEFAULT '{}'::jsonb,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (company_id, group_id)
);

CREATE TABLE group_memberships (
    company_id  bigint      NOT NULL,
    group_id    text        NOT NULL,
    profile_id  varchar(26) NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (company_id, group_id, profile_id),
    FOREIGN KEY (company_id, group_id) REFERENCES groups (company_id, group_id) ON DELETE CASCADE
);
CREATE INDEX group_memberships_profile_idx ON group_memberships (company_id, profile_id);
