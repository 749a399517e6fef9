--liquibase formatted sql

--changeset switchboard:009-lists
-- Klaviyo lists (static audiences). The table is migration 003's: the lists /client/subscriptions names
-- are these same rows. Lists created through /api/lists get a Klaviyo-style 6-character id; lists first
-- named by a subscription keep the id the client sent (name = id until renamed).
ALTER TABLE lists ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();
ALTER TABLE lists ADD COLUMN opt_in_process text CHECK (opt_in_process IN ('single_opt_in', 'double_opt_in'));
CREATE INDEX lists_created_idx ON lists (company_id, created_at, id);

--changeset switchboard:009-suppressions
-- Klaviyo email suppressions (profile-suppression-bulk-create-jobs, bounces): a suppressed profile gets
-- no email marketing whatever its consent; delivery checks it with the subscriptions store
-- (DeliveryDao.isMarketingUnsubscribed). Removing the suppression restores what consent says.
CREATE TABLE suppressions (
    company_id  bigint      NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    profile_id  varchar(26) NOT NULL,
    channel     text        NOT NULL DEFAULT 'email' CHECK (channel IN ('email')),
    reason      text        NOT NULL CHECK (reason IN ('HARD_BOUNCE', 'INVALID_EMAIL', 'SPAM_COMPLAINT',
                                                      'UNSUBSCRIBE', 'USER_SUPPRESSED')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (company_id, profile_id, channel)
);

--changeset switchboard:009-jobs
-- Asynchronous audience jobs (Klaviyo bulk import / bulk event create / suppression jobs). A job keeps its
-- validated input (payload) and its progress (cursor = items done); a worker claims one with
-- FOR UPDATE SKIP LOCKED and a lease (claimed_until), works it in chunks, each chunk one transaction that
-- also advances the cursor, so a restart resumes where the last committed chunk ended.
CREATE TABLE audience_jobs (
    company_id       bigint      NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    id               varchar(26) NOT NULL,
    kind             text        NOT NULL,
    status           text        NOT NULL CHECK (status IN ('queued', 'processing', 'complete', 'cancelled')),
    payload          jsonb       NOT NULL DEFAULT '[]'::jsonb,
    list_ids         text[]      NOT NULL DEFAULT '{}',
    total_count      integer     NOT NULL,
    cursor           integer     NOT NULL DEFAULT 0,
    completed_count  integer     NOT NULL DEFAULT 0,
    failed_count     integer     NOT NULL DEFAULT 0,
    skipped_count    integer     NOT NULL DEFAULT 0,
    profile_ids      text[]      NOT NULL DEFAULT '{}',
    errors           jsonb       NOT NULL DEFAULT '[]'::jsonb,
    created_at       timestamptz NOT NULL DEFAULT now(),
    started_at       timestamptz,
    completed_at     timestamptz,
    claimed_by       text,
    claimed_until    timestamptz,
    PRIMARY KEY (company_id, id)
);
CREATE INDEX audience_jobs_pending_idx ON audience_jobs (created_at) WHERE status IN ('queued', 'processing');
CREATE INDEX audience_jobs_kind_idx ON audience_jobs (company_id, kind, created_at, id);

--changeset switchboard:009-segments splitStatements:false
-- Dynamic segments (Klaviyo definition kept as sent; compiled to SQL by core/audiences/SegmentSql).
-- version moves on every definition change; the segment worker recomputes a segment from scratch while
-- computed_version < version (and on a schedule when the definition has relative-time conditions), and
-- keeps memberships current from the dirty-profiles queue in between.
CREATE TABLE segments (
    company_id        bigint      NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    id                text        NOT NULL,
    name              text        NOT NULL,
    definition        jsonb       NOT NULL,
    is_starred        boolean     NOT NULL DEFAULT false,
    relative          boolean     NOT NULL DEFAULT false,
    version           integer     NOT NULL DEFAULT 1,
    computed_version  integer     NOT NULL DEFAULT 0,
    computed_at       timestamptz,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (company_id, id)
);
CREATE INDEX segments_stale_idx ON segments (updated_at) WHERE computed_version < version;

CREATE TABLE segment_memberships (
    company_id  bigint      NOT NULL,
    segment_id  text        NOT NULL,
    profile_id  varchar(26) NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (company_id, segment_id, profile_id),
    FOREIGN KEY (company_id, segment_id) REFERENCES segments (company_id, id) ON DELETE CASCADE
);
CREATE INDEX segment_memberships_profile_idx ON segment_memberships (company_id, profile_id);

-- Profiles whose segment memberships may have changed. Filled by the core's write paths in their own
-- transaction (core.ChangedProfiles → core/audiences/SegmentQueue: one multi-row INSERT per transaction,
-- keys in order, only for companies that have segments) — no triggers: Citus cannot distribute a table
-- that has them. Drained every second by the worker: re-evaluating stays out of the ingestion request.
-- Append-only, no unique key on the profile: a writer never waits. (With (company_id, profile_id) as the key,
-- an ingestion INSERT … ON CONFLICT of a profile the worker had just taken waited for the worker's whole
-- re-evaluation transaction: p99 of single events up to 1 s in bench/run.) The worker de-duplicates what it takes.
CREATE TABLE segment_dirty_profiles (
    company_id  bigint      NOT NULL,
    id          bigint      GENERATED ALWAYS AS IDENTITY,
    profile_id  varchar(26) NOT NULL,
    queued_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (company_id, id)
);
CREATE INDEX segment_dirty_profiles_profile_idx ON segment_dirty_profiles (company_id, profile_id);
