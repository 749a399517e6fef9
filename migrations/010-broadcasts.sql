--liquibase formatted sql

--changeset switchboard:010-broadcasts
-- Broadcast campaigns (docs/audiences.md, "Broadcasts"): one send of a campaign to a list or a segment, now
-- or at send_at (for a local-time broadcast, send_at is local_send_at in the earliest time zone, UTC+14,
-- when the audience is read). A background job claims a due broadcast with FOR UPDATE SKIP LOCKED and a
-- lease (claimed_until) and enqueues the audience in pages, keyset by profile id: each page is one
-- transaction that inserts the page's sends and moves cursor past it, so a restart resumes after the last
-- committed page (nobody skipped) and the unique (company_id, broadcast_id, profile_id) send key stops
-- anybody being enqueued twice.
CREATE TABLE broadcasts (
    company_id     bigint      NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    id             varchar(26) NOT NULL,
    campaign_id    text        NOT NULL,
    audience_type  text        NOT NULL CHECK (audience_type IN ('list', 'segment')),
    audience_id    text        NOT NULL,
    state          text        NOT NULL CHECK (state IN ('scheduled', 'enqueuing', 'enqueued', 'cancelled')),
    send_at        timestamptz NOT NULL,
    local_send_at  timestamp,
    cursor         varchar(26),
    enqueued_count integer     NOT NULL DEFAULT 0,
    pages          integer     NOT NULL DEFAULT 0,
    claimed_by     text,
    claimed_until  timestamptz,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    started_at     timestamptz,
    enqueued_at    timestamptz,
    cancelled_at   timestamptz,
    PRIMARY KEY (company_id, id),
    FOREIGN KEY (company_id, campaign_id) REFERENCES campaigns (company_id, id) ON DELETE CASCADE
);
CREATE INDEX broadcasts_due_idx ON broadcasts (send_at) WHERE state IN ('scheduled', 'enqueuing');
CREATE INDEX broadcasts_campaign_idx ON broadcasts (company_id, campaign_id, created_at, id);

--changeset switchboard:010-sends-broadcast
-- A broadcast's sends carry its id; one send per broadcast and profile.
ALTER TABLE sends ADD COLUMN broadcast_id varchar(26);
CREATE UNIQUE INDEX sends_broadcast_profile_key ON sends (company_id, broadcast_id, profile_id)
    WHERE broadcast_id IS NOT NULL;
