-- Seeds one company with :profiles profiles and :events events (spread over the last 30 days) for
-- measuring the portal's page times (docs/portal.md). Run with psql against the server's database:
--   psql "$URL" -v company=Ab12Cd -v profiles=100000 -v events=1000000 -f bench/portal-seed.sql
\set ON_ERROR_STOP on
SELECT id AS cid FROM companies WHERE public_id = :'company' \gset
INSERT INTO profiles (company_id, id, external_id, email, attributes, created_at, updated_at, last_event_at)
SELECT :cid, 'SEED' || lpad(i::text, 22, '0'), 'ext-' || i, 'person' || i || '@seed.example',
       jsonb_build_object('first_name', 'First' || (i % 5000), 'last_name', 'Last' || i),
       now() - ((i % 30) || ' days')::interval - ((i % 86400) || ' seconds')::interval,
       now() - ((i % 30) || ' days')::interval, now() - ((i % 30) || ' days')::interval
FROM generate_series(1, :profiles) AS i;
INSERT INTO profile_identifiers (company_id, kind, value, profile_id)
SELECT :cid, 'email', 'person' || i || '@seed.example', 'SEED' || lpad(i::text, 22, '0') FROM generate_series(1, :profiles) AS i
UNION ALL
SELECT :cid, 'external_id', 'ext-' || i, 'SEED' || lpad(i::text, 22, '0') FROM generate_series(1, :profiles) AS i;
INSERT INTO events (company_id, occurred_at, id, profile_id, type, name, properties, received_at, source, raw)
SELECT :cid, t, 'EVT' || lpad(i::text, 23, '0'), 'SEED' || lpad((1 + i % :profiles)::text, 22, '0'), 'track',
       (ARRAY['Viewed Product', 'Added to Cart', 'Checkout', 'Opened Email'])[1 + i % 4],
       jsonb_build_object('sku', 'SKU-' || (i % 1000), 'price', i % 100),
       t, (ARRAY['segment', 'klaviyo_client', 'parcelvoy'])[1 + i % 3],
       jsonb_build_object('event', 'seeded', 'n', i)
FROM (SELECT i, now() - ((i::double precision / :events) * interval '30 days') AS t
      FROM generate_series(1, :events) AS i) s;
ANALYZE profiles; ANALYZE profile_identifiers; ANALYZE events;
