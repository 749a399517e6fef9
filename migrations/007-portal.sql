--liquibase formatted sql

--changeset switchboard:007-members
-- People who sign in to the portal (docs/portal.md). A member is global (one person, several companies),
-- like companies itself: the email is the one global lookup, so its unique index cannot start with
-- company_id. Everything a company owns (memberships, invitations) starts with company_id.
CREATE TABLE members (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email          text        NOT NULL,
    password_hash  text,
    created_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT members_email_length CHECK (length(email) BETWEEN 3 AND 320)
);
CREATE UNIQUE INDEX members_email_key ON members (lower(email));

CREATE TABLE memberships (
    company_id  bigint      NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    member_id   bigint      NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    role        text        NOT NULL CHECK (role IN ('owner', 'editor', 'viewer')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (company_id, member_id)
);
CREATE INDEX memberships_member_idx ON memberships (member_id);

--changeset switchboard:007-sessions
-- Server-side sessions: the cookie carries a random token, the table only its SHA-256 hash.
CREATE TABLE portal_sessions (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    member_id     bigint      NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    token_hash    bytea       NOT NULL,
    csrf_token    text        NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    last_seen_at  timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz NOT NULL,
    revoked_at    timestamptz
);
CREATE UNIQUE INDEX portal_sessions_token_key ON portal_sessions (token_hash);
CREATE INDEX portal_sessions_member_idx ON portal_sessions (member_id);

--changeset switchboard:007-invitations
-- Single-use links: only the token's SHA-256 hash is stored; accepted_at/used_at mark them spent.
CREATE TABLE invitations (
    company_id   bigint      NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    id           bigint GENERATED ALWAYS AS IDENTITY,
    email        text,
    role         text        NOT NULL CHECK (role IN ('owner', 'editor', 'viewer')),
    token_hash   bytea       NOT NULL,
    invited_by   bigint      REFERENCES members (id) ON DELETE SET NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    accepted_at  timestamptz,
    PRIMARY KEY (company_id, id)
);
CREATE INDEX invitations_token_idx ON invitations (token_hash);

CREATE TABLE password_resets (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    member_id   bigint      NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    token_hash  bytea       NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz
);
CREATE INDEX password_resets_token_idx ON password_resets (token_hash);

--changeset switchboard:007-sign-in-attempts
-- Failed and successful sign-ins, for rate limiting (per address) and lockout (per email).
CREATE TABLE sign_in_attempts (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email      text        NOT NULL,
    client_ip  text        NOT NULL,
    succeeded  boolean     NOT NULL,
    at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sign_in_attempts_email_idx ON sign_in_attempts (lower(email), at);
CREATE INDEX sign_in_attempts_ip_idx ON sign_in_attempts (client_ip, at);

--changeset switchboard:007-events-received
-- The portal's live events and overview read a company's newest events by arrival time.
CREATE INDEX events_company_received_idx ON events (company_id, received_at);

--changeset switchboard:007-profile-name-search
-- The portal's profile search by name prefix (first or last name), live profiles only.
CREATE INDEX profiles_first_name_idx ON profiles (company_id, lower(attributes->>'first_name') text_pattern_ops)
    WHERE merged_into IS NULL;
CREATE INDEX profiles_last_name_idx ON profiles (company_id, lower(attributes->>'last_name') text_pattern_ops)
    WHERE merged_into IS NULL;
