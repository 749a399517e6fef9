--liquibase formatted sql

--changeset switchboard:006-fair-claim
-- Delivery fairness across companies (issue #11; SendDao.claim): the claim walks the companies with due
-- sends by a skip scan over sends_company_due_idx and counts each company's sends in flight over
-- sends_inflight_idx. The global sends_due_idx (next_attempt_at only) served the old oldest-first claim
-- and is no longer used.
CREATE INDEX sends_company_due_idx ON sends (company_id, next_attempt_at) WHERE state IN ('pending', 'throttled', 'sending');
CREATE INDEX sends_inflight_idx ON sends (company_id) WHERE state = 'sending';
DROP INDEX IF EXISTS sends_due_idx;

--changeset switchboard:006-opaque-ids
-- Ids of providers, campaigns, sends and API keys become opaque text (issue #11): new rows get ULIDs made
-- by the application (db/Ids), like profiles and events, so no tenant can count what others create from
-- a global sequence. Per-company numbering was not taken: it needs a counter row updated on every insert
-- (a hot row, and on Citus an update of the companies reference table on every send). Existing rows keep
-- their number as a decimal string, so stored references (trigger URLs, key ids) keep working; lists order
-- by created_at, id rather than by id. The identity sequences are dropped with the identity columns.
ALTER TABLE campaigns DROP CONSTRAINT IF EXISTS campaigns_company_id_provider_id_fkey;
ALTER TABLE templates DROP CONSTRAINT IF EXISTS templates_company_id_campaign_id_fkey;
ALTER TABLE sends DROP CONSTRAINT IF EXISTS sends_company_id_campaign_id_fkey;

ALTER TABLE providers ALTER COLUMN id DROP IDENTITY IF EXISTS;
ALTER TABLE providers ALTER COLUMN id TYPE text USING id::text;
ALTER TABLE campaigns ALTER COLUMN id DROP IDENTITY IF EXISTS;
ALTER TABLE campaigns ALTER COLUMN id TYPE text USING id::text, ALTER COLUMN provider_id TYPE text USING provider_id::text;
ALTER TABLE templates ALTER COLUMN campaign_id TYPE text USING campaign_id::text;
ALTER TABLE sends ALTER COLUMN id DROP IDENTITY IF EXISTS;
ALTER TABLE sends ALTER COLUMN id TYPE text USING id::text, ALTER COLUMN campaign_id TYPE text USING campaign_id::text,
    ALTER COLUMN provider_id TYPE text USING provider_id::text;
ALTER TABLE provider_rate_windows ALTER COLUMN provider_id TYPE text USING provider_id::text;
ALTER TABLE unsubscribe_tokens ALTER COLUMN campaign_id TYPE text USING campaign_id::text,
    ALTER COLUMN send_id TYPE text USING send_id::text;
ALTER TABLE api_keys ALTER COLUMN id DROP IDENTITY IF EXISTS;
ALTER TABLE api_keys ALTER COLUMN id TYPE text USING id::text;

ALTER TABLE campaigns ADD CONSTRAINT campaigns_company_id_provider_id_fkey
    FOREIGN KEY (company_id, provider_id) REFERENCES providers (company_id, id);
ALTER TABLE templates ADD CONSTRAINT templates_company_id_campaign_id_fkey
    FOREIGN KEY (company_id, campaign_id) REFERENCES campaigns (company_id, id) ON DELETE CASCADE;
ALTER TABLE sends ADD CONSTRAINT sends_company_id_campaign_id_fkey
    FOREIGN KEY (company_id, campaign_id) REFERENCES campaigns (company_id, id);

-- lists are ordered by creation time (ids are no longer numbers in creation order)
DROP INDEX IF EXISTS sends_campaign_idx;
CREATE INDEX sends_campaign_idx ON sends (company_id, campaign_id, created_at, id);
