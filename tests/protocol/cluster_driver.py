#!/usr/bin/python3
"""Load and checks for tests/protocol/cluster.sh (scale-out under faults).

load:   N client threads, each owning a fixed set of users (so one user's
        requests are sequential and the expected state is exact), run
        creates (PUT If-None-Match: *), updates (PUT If-Match), deletes
        (DELETE If-Match) and PROPFIND Depth 1 listings through haproxy, and
        record every status with its time plus the state each acknowledged
        (2xx) write implies.
verify: reads everything back and checks: every acknowledged write present
        byte for byte, nothing deleted back, no error for users of the
        healthy shard, only 503 (never 500) for the others and only during a
        fault window.
"""
import argparse
import json
import random
import sys
import threading
import time

import requests

THREADS = 16
COLL = "data/"


def url_of(base, user, path=""):
    return f"{base}/calendars/users/{user}/{path}"


def auth(user):
    return (user, f"pw-{user}")


class Client(threading.Thread):
    def __init__(self, base, users, deadline, seed):
        super().__init__(daemon=True)
        self.base, self.users, self.deadline = base, users, deadline
        self.rng = random.Random(seed)
        self.http = requests.Session()
        self.log = []  # [time, user, method, status]
        # user -> path -> {"body", "etag", "present", "uncertain"}
        self.model = {u: {} for u in users}
        self.counter = 0

    def req(self, user, method, path, **kw):
        try:
            r = self.http.request(method, url_of(self.base, user, path), auth=auth(user),
                                  timeout=60, **kw)
            status = r.status_code
        except requests.RequestException:
            r, status = None, 0
        self.log.append([time.time(), user, method, status])
        return r, status

    def settle(self, user, path, sent):
        """After an ambiguous answer: was our write applied (a retried request)?"""
        r, status = self.req(user, "GET", path)
        if status == 200 and sent is not None and r.content == sent:
            return True, r.headers.get("ETag", "").strip('"')
        if status == 404 and sent is None:
            return True, None
        return False, None

    def run(self):
        for u in self.users:
            for _ in range(20):
                _, s = self.req(u, "MKCOL", COLL)
                if s in (201, 405):
                    break
                time.sleep(1)
        while time.time() < self.deadline:
            u = self.rng.choice(self.users)
            m = self.model[u]
            live = [p for p, e in m.items() if e["present"] and not e["uncertain"]]
            x = self.rng.random()
            if x < 0.35 or not live:
                self.counter += 1
                path = f"{COLL}r{self.counter}-{self.rng.randrange(10**6)}.txt"
                body = f"{u} {path} v0 {self.rng.random()}\n".encode() * self.rng.randint(1, 40)
                r, s = self.req(u, "PUT", path, data=body, headers={"If-None-Match": "*"})
                ok = s == 201
                etag = r.headers.get("ETag", "").strip('"') if ok else None
                if s == 412:
                    ok, etag = self.settle(u, path, body)
                self.record(m, path, body, ok, s, etag)
            elif x < 0.65:
                path = self.rng.choice(live)
                e = m[path]
                body = e["body"] + f"update {self.rng.random()}\n".encode()
                r, s = self.req(u, "PUT", path, data=body, headers={"If-Match": f'"{e["etag"]}"'})
                ok = s in (200, 204)
                etag = r.headers.get("ETag", "").strip('"') if ok else None
                if s == 412:
                    ok, etag = self.settle(u, path, body)
                self.record(m, path, body, ok, s, etag)
            elif x < 0.8:
                path = self.rng.choice(live)
                _, s = self.req(u, "DELETE", path, headers={"If-Match": f'"{m[path]["etag"]}"'})
                ok = s in (200, 204)
                if s in (404, 412):
                    ok, _ = self.settle(u, path, None)
                self.record(m, path, None, ok, s, None)
            else:
                self.req(u, "PROPFIND", COLL, headers={"Depth": "1"})

    @staticmethod
    def record(m, path, body, ok, status, etag):
        if ok:
            if body is not None and not etag:
                m[path] = {"body": body, "etag": "", "present": True, "uncertain": True}
            else:
                m[path] = {"body": body, "etag": etag, "present": body is not None,
                           "uncertain": False}
        elif status in (412, 409, 404) or 400 <= status < 500:
            pass  # refused: the stored state is unchanged
        else:
            # 503, 5xx, no answer: the write may or may not have landed.
            old = m.get(path)
            m[path] = {"body": body, "etag": "", "present": body is not None,
                       "uncertain": True, "before": old["body"].decode("latin1")
                       if old and old.get("body") else None}


def warmup(args):
    users = [f"u{i}" for i in range(1, args.users + 1)]

    def run(part):
        http = requests.Session()
        for u in part:
            for _ in range(3):  # round robin: each app server once
                http.request("MKCOL", url_of(args.url, u, COLL), auth=auth(u), timeout=120)
                http.close()  # a new connection each time, so haproxy rotates

    threads = [threading.Thread(target=run, args=(users[i::8],)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def load(args):
    users = [f"u{i}" for i in range(1, args.users + 1)]
    deadline = time.time() + args.duration
    clients = [Client(args.url, users[i::THREADS], deadline, i) for i in range(THREADS)]
    for c in clients:
        c.start()
    for c in clients:
        c.join()
    model, log = {}, []
    for c in clients:
        for u, m in c.model.items():
            model[u] = {p: {"body": e["body"].decode("latin1") if e["body"] is not None else None,
                            "present": e["present"], "uncertain": e["uncertain"],
                            "before": e.get("before")} for p, e in m.items()}
        log.extend(c.log)
    with open(args.out, "w") as f:
        json.dump({"model": model, "log": log}, f)
    print(f"{len(log)} requests, {sum(1 for e in log if 200 <= e[3] < 300)} 2xx")


def windows(events_file):
    """Fault windows from the events file: moves per user, outage, app kill."""
    moves, outage, kill = {}, [None, None], [None, None]
    for line in open(events_file):
        t, what, *rest = line.split()
        t = float(t)
        if what == "move-start":
            moves[rest[0]] = [t, None]
        elif what == "move-end":
            moves[rest[0]][1] = t
        elif what == "outage-start":
            outage[0] = t
        elif what == "outage-end":
            outage[1] = t
        elif what == "kill":
            kill[0] = t
        elif what == "restarted":
            kill[1] = t
    return moves, outage, kill


def verify(args):
    data = json.load(open(args.out))
    model, log = data["model"], data["log"]
    moves, outage, kill = windows(args.events)
    before = dict(line.split() for line in open(args.before))
    after = dict(line.split() for line in open(args.after))
    problems = []
    # 1. Placement: the moved users are on the other shard now.
    for u in moves:
        if before[u] == after[u]:
            problems.append(f"{u} was moved but is still on shard {after[u]}")
    # 2. Statuses.
    expected = {"PUT", "DELETE", "MKCOL", "PROPFIND", "GET"}
    stats = {"healthy_errors": 0, "outage_503": 0, "move_503": 0}
    for t, u, method, status in log:
        if method not in expected or 200 <= status < 300 or status in (404, 405, 412):
            continue
        moved = u in moves
        in_move = moved and moves[u][0] - 1 <= t <= (moves[u][1] or t) + 3
        on_shard2 = before[u] == "2" or after[u] == "2"
        in_outage = outage[0] and outage[0] - 1 <= t <= outage[1] + 8
        if status == 503 and in_move:
            stats["move_503"] += 1
        elif status == 503 and on_shard2 and in_outage:
            stats["outage_503"] += 1
        elif not on_shard2 and not moved:
            stats["healthy_errors"] += 1
            problems.append(f"healthy-shard user {u}: {method} -> {status} at {t:.1f}")
        else:
            problems.append(f"user {u} (shard {before[u]}->{after[u]}): {method} -> {status} "
                            f"at {t:.1f} outside a fault window")
    # 3. Data: every acknowledged write byte for byte, deletions stay deleted.
    http = requests.Session()
    checked = 0
    for u, m in model.items():
        for path, e in m.items():
            r = http.get(url_of(args.url, u, path), auth=auth(u), timeout=60)
            body = r.content.decode("latin1") if r.status_code == 200 else None
            if e["uncertain"]:
                if body not in (e["body"], e.get("before")) and r.status_code not in (200, 404):
                    problems.append(f"{u}/{path}: {r.status_code} after an unacknowledged write")
                continue
            checked += 1
            if e["present"] and body != e["body"]:
                problems.append(f"{u}/{path}: acknowledged write lost ({r.status_code})")
            if not e["present"] and r.status_code != 404:
                problems.append(f"{u}/{path}: deleted but back ({r.status_code})")
    codes = {}
    for _, _, _, s in log:
        codes[s] = codes.get(s, 0) + 1
    print(f"requests by status: {dict(sorted(codes.items()))}")
    print(f"checked {checked} acknowledged resources; {stats}")
    if 500 in codes:
        problems.append(f"{codes[500]} responses were 500")
    if not stats["outage_503"]:
        problems.append("no 503 seen during the shard outage: was the fault injected?")
    for p in problems[:50]:
        print("FAIL:", p)
    if problems:
        print(f"{len(problems)} problems")
        sys.exit(1)
    print("cluster: all checks passed")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["warmup", "load", "verify"])
    p.add_argument("--url", required=True)
    p.add_argument("--users", type=int, default=200)
    p.add_argument("--duration", type=float, default=60)
    p.add_argument("--out", required=True)
    p.add_argument("--events")
    p.add_argument("--before")
    p.add_argument("--after")
    args = p.parse_args()
    {"warmup": warmup, "load": load, "verify": verify}[args.mode](args)


if __name__ == "__main__":
    main()
