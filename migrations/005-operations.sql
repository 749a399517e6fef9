--liquibase formatted sql

--changeset switchboard:005-rate-limit-buckets
-- Bucket4j token buckets for rate limits shared by every server process (limits.Bucket4jBuckets).
--
-- Exception to "company_id first in every primary key": Bucket4j addresses a bucket by exactly one key
-- column (INSERT ... ON CONFLICT (id) DO NOTHING; SELECT ... WHERE id = ? FOR UPDATE), so the primary
-- key is that column. Its value starts with the company id — '<company_id>:<class>:<burst>s<steady>m',
-- e.g. '42:client:350s3500m' — and company_id is kept as a generated column for operators. The table is
-- never joined and never queried across companies; on Citus it is distributed by id.
--
-- UNLOGGED: bucket state is not worth a WAL write and an fsync per update. After a PostgreSQL crash the
-- table comes back empty, which only means every bucket starts full again.
-- expires_at (epoch millis) is set by Bucket4j to when the bucket would be full again plus a minute;
-- expired rows are deleted by the servers once a minute.
CREATE UNLOGGED TABLE rate_limit_buckets (
    id          text   NOT NULL PRIMARY KEY,
    state       bytea,
    expires_at  bigint,
    company_id  bigint GENERATED ALWAYS AS (split_part(id, ':', 1)::bigint) STORED
);
CREATE INDEX rate_limit_buckets_expires_idx ON rate_limit_buckets (expires_at);
