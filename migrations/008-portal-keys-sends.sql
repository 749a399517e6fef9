--liquibase formatted sql

--changeset switchboard:008-api-keys-last-used
-- When a key last authenticated a request (docs/portal.md, "Keys"): written off the request path, at most
-- once a minute per key per process (core/tenancy/KeyUsage), so it is accurate to about a minute.
ALTER TABLE api_keys ADD COLUMN last_used_at timestamptz;

--changeset switchboard:008-sends-by-profile
-- The portal's profile page lists a profile's newest sends.
CREATE INDEX sends_profile_idx ON sends (company_id, profile_id, created_at);
