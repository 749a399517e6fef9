#!/usr/bin/env python3
"""A short load of every ingestion dialect, spread over several servers (drills/citus.sh).

    dialect_load.py COMPANY_PUBLIC_ID PUBLIC_KEY SECRET_KEY RUN_TAG N_PER_DIALECT PARALLEL URL [URL...]

Each request carries exactly one event whose name is "drill <dialect> <RUN_TAG>"; prints one line per
dialect, "<source> <acknowledged>", where acknowledged counts the 2xx answers. The caller compares them
with the rows that landed (events per source and name).
"""
import base64
import json
import sys
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

company, pk, sk, tag, n, par = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), int(sys.argv[6])
urls = sys.argv[7:]
basic = "Basic " + base64.b64encode(f"{pk}:".encode()).decode()
REV = "2026-07-15"


def kl_event(i, name):
    return {"data": {"type": "event", "attributes": {
        "profile": {"data": {"type": "profile", "attributes": {"email": f"kl-{tag}-{i % 50}@example.com"}}},
        "metric": {"data": {"type": "metric", "attributes": {"name": name}}},
        "properties": {"i": i}, "unique_id": f"{tag}-{name}-{i}"}}}


def request(source, i):
    name = f"drill {source} {tag}"
    user = f"{source}-{tag}-{i % 50}"
    if source == "parcelvoy":
        return ("/api/client/events", {"Authorization": f"Bearer {pk}"},
                [{"name": name, "external_id": user, "data": {"i": i}}])
    if source == "segment":
        return ("/v1/batch", {"Authorization": basic},
                {"batch": [{"type": "track", "event": name, "userId": user, "messageId": f"{tag}-sg-{i}",
                            "properties": {"i": i}}]})
    if source == "dittofeed":
        return ("/api/public/apps/batch", {"authorization": basic},
                {"batch": [{"type": "track", "event": name, "userId": user, "messageId": f"{tag}-df-{i}",
                            "properties": {"i": i}}]})
    if source == "klaviyo_client":
        return (f"/client/events/?company_id={company}", {"revision": REV,
                                                          "Content-Type": "application/vnd.api+json"}, kl_event(i, name))
    if source == "klaviyo_server":
        return ("/api/events/", {"Authorization": f"Klaviyo-API-Key {sk}", "revision": REV,
                                 "Content-Type": "application/vnd.api+json"}, kl_event(i, name))
    raise ValueError(source)


def send(args):
    source, i = args
    path, headers, body = request(source, i)
    h = {"Content-Type": "application/json"}
    h.update(headers)
    req = urllib.request.Request(urls[i % len(urls)] + path, data=json.dumps(body).encode(), headers=h, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return source, r.status
    except urllib.error.HTTPError as e:
        return source, e.code
    except Exception:
        return source, 0


sources = ["parcelvoy", "segment", "dittofeed", "klaviyo_client", "klaviyo_server"]
jobs = [(s, i) for s in sources for i in range(n)]
acked = {s: 0 for s in sources}
codes = {s: {} for s in sources}
with ThreadPoolExecutor(par) as ex:
    for source, code in ex.map(send, jobs):
        codes[source][code] = codes[source].get(code, 0) + 1
        if 200 <= code < 300:
            acked[source] += 1
for s in sources:
    print(s, acked[s], json.dumps(codes[s], sort_keys=True).replace(" ", ""))
