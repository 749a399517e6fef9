--liquibase formatted sql

--changeset switchboard:004-providers
-- A company's delivery providers. config holds credentials (never returned by the API: see
-- core/campaigns/ProviderTypes). rate_limit sends per rate_interval, shared by every server process.
CREATE TABLE providers (
    company_id    bigint      NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    id            bigint GENERATED ALWAYS AS IDENTITY,
    type          text        NOT NULL CHECK (type IN ('smtp', 'twilio', 'fcm', 'apns', 'webhook', 'log')),
    name          text        NOT NULL,
    config        jsonb       NOT NULL DEFAULT '{}'::jsonb,
    rate_limit    integer     CHECK (rate_limit IS NULL OR rate_limit > 0),
    rate_interval text        CHECK (rate_interval IS NULL OR rate_interval IN ('second', 'minute')),
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (company_id, id)
);

--changeset switchboard:004-campaigns
CREATE TABLE campaigns (
    company_id     bigint      NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    id             bigint GENERATED ALWAYS AS IDENTITY,
    name           text        NOT NULL,
    channel        text        NOT NULL CHECK (channel IN ('email', 'sms', 'push', 'webhook')),
    provider_id    bigint,
    state          text        NOT NULL DEFAULT 'draft' CHECK (state IN ('draft', 'active', 'paused', 'archived')),
    subscription   text        NOT NULL DEFAULT 'marketing' CHECK (subscription IN ('marketing', 'transactional')),
    default_locale text        NOT NULL DEFAULT 'en',
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (company_id, id),
    FOREIGN KEY (company_id, provider_id) REFERENCES providers (company_id, id)
);

-- One template per campaign and locale; data holds the channel's fields (email: from, reply_to,
-- subject, html, text; sms: text; push: title, body, url, data; webhook: method, url, headers, body).
CREATE TABLE templates (
    company_id  bigint      NOT NULL,
    campaign_id bigint      NOT NULL,
    locale      text        NOT NULL,
    data        jsonb       NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (company_id, campaign_id, locale),
    FOREIGN KEY (company_id, campaign_id) REFERENCES campaigns (company_id, id) ON DELETE CASCADE
);

--changeset switchboard:004-sends
-- The delivery queue. Workers claim due rows with FOR UPDATE SKIP LOCKED and hold them under a lease:
-- while state = 'sending', next_attempt_at is the lease expiry, so one partial index serves both new
-- work and sends whose worker died.
CREATE TABLE sends (
    company_id          bigint      NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    id                  bigint GENERATED ALWAYS AS IDENTITY,
    campaign_id         bigint      NOT NULL,
    profile_id          text        NOT NULL,
    channel             text        NOT NULL,
    address             text,
    locale              text,
    context             jsonb       NOT NULL DEFAULT '{}'::jsonb,
    idempotency_key     text,
    state               text        NOT NULL DEFAULT 'pending'
                        CHECK (state IN ('pending', 'sending', 'sent', 'throttled', 'failed', 'aborted')),
    reason              text,
    attempts            integer     NOT NULL DEFAULT 0,
    next_attempt_at     timestamptz NOT NULL DEFAULT now(),
    claimed_by          text,
    claimed_until       timestamptz,
    provider_id         bigint,
    provider_message_id text,
    last_error          text,
    token_invalid       boolean     NOT NULL DEFAULT false,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    sent_at             timestamptz,
    failed_at           timestamptz,
    aborted_at          timestamptz,
    PRIMARY KEY (company_id, id),
    FOREIGN KEY (company_id, campaign_id) REFERENCES campaigns (company_id, id),
    CONSTRAINT sends_idempotency_key UNIQUE (company_id, campaign_id, idempotency_key)
);
CREATE INDEX sends_due_idx ON sends (next_attempt_at) WHERE state IN ('pending', 'throttled', 'sending');
CREATE INDEX sends_campaign_idx ON sends (company_id, campaign_id, id);

-- Each state change of a send, as a profile event (email_sent, sms_failed, …). The default
-- DeliveryEvents implementation writes here until the shared event store takes these.
CREATE TABLE send_events (
    company_id  bigint      NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    id          bigint GENERATED ALWAYS AS IDENTITY,
    profile_id  text        NOT NULL,
    send_id     bigint,
    name        text        NOT NULL,
    properties  jsonb       NOT NULL DEFAULT '{}'::jsonb,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (company_id, id)
);
CREATE INDEX send_events_profile_idx ON send_events (company_id, profile_id, id);

-- Per-provider fixed-window send counters (the shared rate limit across server processes).
CREATE TABLE provider_rate_windows (
    company_id   bigint      NOT NULL,
    provider_id  bigint      NOT NULL,
    window_start timestamptz NOT NULL,
    used         integer     NOT NULL,
    PRIMARY KEY (company_id, provider_id, window_start)
);

--changeset switchboard:004-unsubscribes
-- Unsubscribe links. The token starts with the company's public id, so GET /u/{token} finds its
-- company first and then looks the token up within it.
CREATE TABLE unsubscribe_tokens (
    company_id   bigint      NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    token        text        NOT NULL,
    profile_id   text        NOT NULL,
    channel      text        NOT NULL,
    subscription text        NOT NULL,
    campaign_id  bigint,
    send_id      bigint,
    created_at   timestamptz NOT NULL DEFAULT now(),
    used_at      timestamptz,
    PRIMARY KEY (company_id, token)
);

-- A profile's opt-out of a channel for one subscription kind (marketing / transactional). Kept by the
-- delivery module itself, independent of the shared subscriptions table.
CREATE TABLE channel_unsubscribes (
    company_id   bigint      NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    profile_id   text        NOT NULL,
    channel      text        NOT NULL,
    subscription text        NOT NULL,
    source       text        NOT NULL DEFAULT 'link',
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (company_id, profile_id, channel, subscription)
);

--changeset switchboard:004-push-tokens
-- INTERIM push-token registry used by delivery/PushTokens until the shared device store exists:
-- the trigger registers device_token here and an invalid token reported by FCM/APNs is disabled here.
CREATE TABLE delivery_push_tokens (
    company_id   bigint      NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    token        text        NOT NULL,
    profile_id   text        NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    disabled_at  timestamptz,
    disabled_reason text,
    PRIMARY KEY (company_id, token)
);
