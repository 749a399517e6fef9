--liquibase formatted sql

--changeset switchboard:008-lists
-- Klaviyo lists (static audiences). The table is migration 003's: the lists /client/subscriptions names
-- are these same rows. Lists created through /api/lists get a Klaviyo-style 6-character id; lists first
-- named by a subscription keep the id the client sent (name = id until renamed).
ALTER TABLE lists ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();
ALTER TABLE lists ADD COLUMN opt_in_process text CHECK (opt_in_process IN ('single_opt_in', 'double_opt_in'));
CREATE INDEX lists_created_idx ON lists (company_id, created_at, id);

--changeset switchboard:008-suppressions
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

--changeset switchboard:008-jobs
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
