--liquibase formatted sql

--changeset switchboard:006-fair-claim
-- Delivery fairness across companies (issue #11; SendDao.claim): the claim walks the companies with due
-- sends by a skip scan over sends_company_due_idx and counts each company's sends in flight over
-- sends_inflight_idx. The global sends_due_idx (next_attempt_at only) served the old oldest-first claim
-- and is no longer used.
CREATE INDEX sends_company_due_idx ON sends (company_id, next_attempt_at) WHERE state IN ('pending', 'throttled', 'sending');
CREATE INDEX sends_inflight_idx ON sends (company_id) WHERE state = 'sending';
DROP INDEX IF EXISTS sends_due_idx;
