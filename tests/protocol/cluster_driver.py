#!/usr/bin/python3
"""Load and checks for tests/protocol/cluster.sh (scale-out under faults).

load:   N client threads, each owning a fixed set of users (so one user's
        requests are sequential and the expected state is exact), run on the
        user's default calendar: creates (PUT If-None-Match: * of an event with
        a unique UID), updates (PUT If-Match, same UID, SEQUENCE + 1), deletes
        (DELETE If-Match), PROPFIND Depth 1 listings and sync-collection
        (RFC 6578) through haproxy. Every client keeps two replicas per user,
        as two devices would: a "fast" one synced often and a "slow" one
        synced every SLOW_SYNC_S seconds, so its tokens span moves and the
        outage. A sync applies the delta: changed hrefs fetched with
        calendar-multiget, 404 responses deleted. It records every status with
        its time, the state each acknowledged (2xx) write implies, and the
        replicas with their tokens.
verify: reads everything back and checks: every acknowledged write present
        byte for byte, nothing deleted back, no error for users of the
        healthy shard, only 503 (never 500) for the others and only during a
        fault window; then each replica, after a final sync from its last
        token, equals the server's calendar (hrefs, ETags, bodies byte for
        byte); no sync token was ever refused (403 valid-sync-token), and
        tokens were used across moves.
"""
import argparse
import json
import random
import sys
import threading
import time
import urllib.parse
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor

import requests

THREADS = 16
COLL = "calendar/"
SLOW_SYNC_S = 25
D = "{DAV:}"
C = "{urn:ietf:params:xml:ns:caldav}"
XML = {"Content-Type": "application/xml; charset=utf-8"}
ICS = "text/calendar; charset=utf-8"


def url_of(base, user, path=""):
    return f"{base}/calendars/users/{user}/{path}"


def auth(user):
    return (user, f"pw-{user}")


def event(uid, seq, rng):
    """A valid VEVENT (RFC 5545), CRLF lines, size varied by COMMENT lines."""
    day = rng.randrange(1, 28)
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Cosmo//cluster test//EN",
             "BEGIN:VEVENT", f"UID:{uid}", "DTSTAMP:20260101T000000Z",
             f"DTSTART:202603{day:02d}T100000Z", "DURATION:PT1H", f"SEQUENCE:{seq}",
             f"SUMMARY:rev {seq} {rng.random():.12f}"]
    lines += [f"COMMENT:filler {i} {rng.random():.15f}" for i in range(rng.randint(0, 30))]
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return ("\r\n".join(lines) + "\r\n").encode()


def name_of(href):
    return urllib.parse.unquote(href.rstrip("/").rsplit("/", 1)[-1]) if href else ""


def sync_body(token):
    return (f'<?xml version="1.0" encoding="utf-8"?><D:sync-collection xmlns:D="DAV:">'
            f'<D:sync-token>{token}</D:sync-token><D:sync-level>1</D:sync-level>'
            f'<D:prop><D:getetag/></D:prop></D:sync-collection>').encode()


def multiget_body(user, names):
    hrefs = "".join(f"<D:href>/calendars/users/{user}/{COLL}{urllib.parse.quote(n)}</D:href>"
                    for n in names)
    return (f'<?xml version="1.0" encoding="utf-8"?><C:calendar-multiget xmlns:D="DAV:" '
            f'xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:getetag/><C:calendar-data/>'
            f'</D:prop>{hrefs}</C:calendar-multiget>').encode()


def responses(content):
    """(name, status code of the response or its 200 propstat, props) per DAV:response."""
    out = []
    for resp in ET.fromstring(content).iter(D + "response"):
        name = name_of(resp.findtext(D + "href"))
        status = resp.findtext(D + "status")
        if status:
            out.append((name, int(status.split()[1]), {}))
            continue
        for ps in resp.findall(D + "propstat"):
            if int(ps.findtext(D + "status").split()[1]) == 200:
                prop = ps.find(D + "prop")
                out.append((name, 200, {c.tag: c.text or "" for c in prop}))
    return out


class Replica:
    """A device's copy of one calendar: a sync token and name -> [etag, body]."""

    def __init__(self, token="", items=None, token_time=0.0):
        self.token, self.items, self.token_time = token, items or {}, token_time

    def to_json(self):
        return {"token": self.token, "token_time": self.token_time,
                "items": {n: [e, b.decode("latin1")] for n, (e, b) in self.items.items()}}

    @staticmethod
    def from_json(j):
        return Replica(j["token"], {n: [e, b.encode("latin1")] for n, (e, b) in
                                    j["items"].items()}, j["token_time"])


class Syncer:
    """RFC 6578 sync of a replica over one HTTP session, logging every request."""

    def __init__(self, base, http, log, syncs, problems):
        self.base, self.http, self.log = base, http, log
        self.syncs, self.problems = syncs, problems

    def req(self, user, method, path, label=None, **kw):
        try:
            r = self.http.request(method, url_of(self.base, user, path), auth=auth(user),
                                  timeout=60, **kw)
            status = r.status_code
        except requests.RequestException:
            r, status = None, 0
        self.log.append([time.time(), user, label or method, status])
        return r, status

    def sync(self, user, rep):
        """One sync-collection from rep.token and the fetches it calls for.
        Returns True when the replica was brought up to the new token."""
        t_used = time.time()
        r, s = self.req(user, "REPORT", COLL, "SYNC", data=sync_body(rep.token), headers=XML)
        self.syncs.append([user, rep.token_time, t_used, s])
        if s == 403 and b"valid-sync-token" in r.content:
            self.problems.append(f"{user}: sync token {rep.token!r} refused (403) at {t_used:.1f}")
            rep.token, rep.items = "", {}  # what a client does: sync from scratch
            return False
        if s != 207:
            return False
        root = ET.fromstring(r.content)
        new_token = root.findtext(D + "sync-token")
        changed, deleted = [], []
        for name, status, props in responses(r.content):
            if not name.endswith(".ics"):
                continue
            if status == 404:
                deleted.append(name)
            elif status == 200:
                etag = props.get(D + "getetag", "").strip('"')
                if rep.items.get(name, [None])[0] != etag:
                    changed.append(name)
            else:
                self.problems.append(f"{user}: sync response {status} for {name}")
        fetched = {}
        for i in range(0, len(changed), 50):
            batch = changed[i:i + 50]
            r, s = self.req(user, "REPORT", COLL, "MULTIGET", data=multiget_body(user, batch),
                            headers={**XML, "Depth": "1"})
            if s != 207:
                return False  # keep the old token: the same delta comes again
            for name, status, props in responses(r.content):
                if status == 200:
                    fetched[name] = [props.get(D + "getetag", "").strip('"'),
                                     props.get(C + "calendar-data", "").encode()]
                elif status == 404:
                    fetched[name] = None  # deleted since the sync: a later delta says so
        for name in deleted:
            rep.items.pop(name, None)
        for name, item in fetched.items():
            if item is None:
                rep.items.pop(name, None)
            else:
                rep.items[name] = item
        rep.token, rep.token_time = new_token, t_used
        return True


class Client(threading.Thread):
    def __init__(self, base, users, deadline, seed):
        super().__init__(daemon=True)
        self.base, self.users, self.deadline = base, users, deadline
        self.rng = random.Random(seed)
        self.http = requests.Session()
        self.log = []  # [time, user, method, status]
        self.syncs = []  # [user, time the token was got, time it was used, status]
        self.problems = []
        self.syncer = Syncer(base, self.http, self.log, self.syncs, self.problems)
        # user -> path -> {"body", "etag", "present", "uncertain", "uid", "seq"}
        self.model = {u: {} for u in users}
        self.fast = {u: Replica() for u in users}
        self.slow = {u: Replica() for u in users}
        self.counter = 0

    def req(self, user, method, path, **kw):
        return self.syncer.req(user, method, path, **kw)

    def settle(self, user, path, sent):
        """After an ambiguous answer: was our write applied (a retried request)?"""
        r, status = self.req(user, "GET", path)
        if status == 200 and sent is not None and r.content == sent:
            return True, r.headers.get("ETag", "").strip('"')
        if status == 404 and sent is None:
            return True, None
        return False, None

    def sync_all(self, replicas):
        for u in self.users:
            self.syncer.sync(u, replicas[u])

    def run(self):
        self.sync_all(self.fast)
        self.sync_all(self.slow)
        next_slow = time.time() + SLOW_SYNC_S
        while time.time() < self.deadline:
            if time.time() >= next_slow:
                self.sync_all(self.slow)
                next_slow = time.time() + SLOW_SYNC_S
            u = self.rng.choice(self.users)
            m = self.model[u]
            live = [p for p, e in m.items() if e["present"] and not e["uncertain"]]
            x = self.rng.random()
            if x < 0.35 or not live:
                self.counter += 1
                stem = f"r{self.counter}-{self.rng.randrange(10**6)}"
                path, uid = f"{COLL}{stem}.ics", f"{u}-{stem}@cluster.test"
                body = event(uid, 0, self.rng)
                r, s = self.req(u, "PUT", path, data=body,
                                headers={"If-None-Match": "*", "Content-Type": ICS})
                ok = s == 201
                etag = r.headers.get("ETag", "").strip('"') if ok else None
                if s == 412:
                    ok, etag = self.settle(u, path, body)
                self.record(m, path, body, ok, s, etag, uid, 0)
            elif x < 0.6:
                path = self.rng.choice(live)
                e = m[path]
                body = event(e["uid"], e["seq"] + 1, self.rng)
                r, s = self.req(u, "PUT", path, data=body,
                                headers={"If-Match": f'"{e["etag"]}"', "Content-Type": ICS})
                ok = s in (200, 204)
                etag = r.headers.get("ETag", "").strip('"') if ok else None
                if s == 412:
                    ok, etag = self.settle(u, path, body)
                self.record(m, path, body, ok, s, etag, e["uid"], e["seq"] + 1)
            elif x < 0.72:
                path = self.rng.choice(live)
                _, s = self.req(u, "DELETE", path, headers={"If-Match": f'"{m[path]["etag"]}"'})
                ok = s in (200, 204)
                if s in (404, 412):
                    ok, _ = self.settle(u, path, None)
                self.record(m, path, None, ok, s, None, m[path]["uid"], m[path]["seq"])
            elif x < 0.8:
                self.req(u, "PROPFIND", COLL, headers={"Depth": "1"})
            else:
                self.syncer.sync(u, self.fast[u])

    @staticmethod
    def record(m, path, body, ok, status, etag, uid, seq):
        if ok:
            if body is not None and not etag:
                m[path] = {"body": body, "etag": "", "present": True, "uncertain": True}
            else:
                m[path] = {"body": body, "etag": etag, "present": body is not None,
                           "uncertain": False, "uid": uid, "seq": seq}
        elif status in (412, 409, 404) or 400 <= status < 500:
            pass  # refused: the stored state is unchanged
        else:
            # 503, 5xx, no answer: the write may or may not have landed.
            old = m.get(path)
            m[path] = {"body": body, "etag": "", "present": body is not None,
                       "uncertain": True, "before": old["body"].decode("latin1")
                       if old and old.get("body") else None}


def warmup(args):
    """Every user's password verified once on each app server (scrypt is slow)
    and every home created (the default calendar comes with it)."""
    users = [f"u{i}" for i in range(1, args.users + 1)]

    def run(part):
        http = requests.Session()
        for u in part:
            for _ in range(3):  # round robin: each app server once
                http.request("PROPFIND", url_of(args.url, u, COLL), auth=auth(u),
                             headers={"Depth": "0"}, timeout=120)
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
    model, log, syncs, problems, replicas = {}, [], [], [], {}
    for c in clients:
        for u, m in c.model.items():
            model[u] = {p: {"body": e["body"].decode("latin1") if e["body"] is not None else None,
                            "present": e["present"], "uncertain": e["uncertain"],
                            "before": e.get("before")} for p, e in m.items()}
            replicas[u] = {"fast": c.fast[u].to_json(), "slow": c.slow[u].to_json()}
        log.extend(c.log)
        syncs.extend(c.syncs)
        problems.extend(c.problems)
    with open(args.out, "w") as f:
        json.dump({"model": model, "log": log, "syncs": syncs, "problems": problems,
                   "replicas": replicas}, f)
    n_sync = sum(1 for e in syncs if e[3] == 207)
    print(f"{len(log)} requests, {sum(1 for e in log if 200 <= e[3] < 300)} 2xx, "
          f"{n_sync} syncs")


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


def server_state(http, base, user, problems, fetched):
    """The calendar as the server has it: name -> [etag, body] (PROPFIND + GET;
    fetched holds GET answers already made, by name)."""
    body = (b'<?xml version="1.0" encoding="utf-8"?><D:propfind xmlns:D="DAV:"><D:prop>'
            b'<D:getetag/></D:prop></D:propfind>')
    r = http.request("PROPFIND", url_of(base, user, COLL), auth=auth(user), data=body,
                     headers={**XML, "Depth": "1"}, timeout=60)
    if r.status_code != 207:
        problems.append(f"{user}: PROPFIND of the calendar -> {r.status_code}")
        return None
    state = {}
    for name, status, props in responses(r.content):
        if status != 200 or not name.endswith(".ics"):
            continue
        g = fetched.get(name) or http.get(url_of(base, user, COLL + name), auth=auth(user),
                                          timeout=60)
        if g.status_code != 200:
            problems.append(f"{user}/{name}: listed but GET -> {g.status_code}")
            continue
        etag = props.get(D + "getetag", "").strip('"')
        if g.headers.get("ETag", "").strip('"') != etag:
            problems.append(f"{user}/{name}: PROPFIND ETag {etag} != GET ETag")
        state[name] = [etag, g.content]
    return state


def check_user(args, u, m, reps):
    """Checks 3 and 4 for one user: returns (problems, acknowledged resources
    checked, replicas compared, replica items, final sync records)."""
    http = requests.Session()
    problems, fetched, checked = [], {}, 0
    # 3. Data: every acknowledged write byte for byte, deletions stay deleted.
    for path, e in m.items():
        r = http.get(url_of(args.url, u, path), auth=auth(u), timeout=60)
        fetched[path[len(COLL):]] = r
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
    # 4. Sync: each replica, after a final sync from its last token, equals the server.
    log, syncs = [], []
    syncer = Syncer(args.url, http, log, syncs, problems)
    compared = items = 0
    state = server_state(http, args.url, u, problems, fetched)
    for kind, j in (reps.items() if state is not None else ()):
        rep = Replica.from_json(j)
        for _ in range(10):
            if syncer.sync(u, rep):
                break
            time.sleep(1)
        else:
            problems.append(f"{u} ({kind}): final sync failed: {log[-1]}")
            continue
        compared += 1
        items += len(rep.items)
        if set(rep.items) != set(state):
            problems.append(f"{u} ({kind}): replica has {sorted(set(rep.items) - set(state))}"
                            f" extra, misses {sorted(set(state) - set(rep.items))}")
        for name in set(rep.items) & set(state):
            if rep.items[name][0] != state[name][0]:
                problems.append(f"{u}/{name} ({kind}): replica ETag {rep.items[name][0]}"
                                f" != server {state[name][0]}")
            elif rep.items[name][1] != state[name][1]:
                problems.append(f"{u}/{name} ({kind}): replica body differs from GET")
    return problems, checked, compared, items, syncs


def verify(args):
    data = json.load(open(args.out))
    model, log = data["model"], data["log"]
    moves, outage, kill = windows(args.events)
    before = dict(line.split() for line in open(args.before))
    after = dict(line.split() for line in open(args.after))
    problems = list(data["problems"])
    # 1. Placement: the moved users are on the other shard now.
    for u in moves:
        if before[u] == after[u]:
            problems.append(f"{u} was moved but is still on shard {after[u]}")
    # 2. Statuses.
    expected = {"PUT", "DELETE", "PROPFIND", "GET", "SYNC", "MULTIGET"}
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
    codes = {}
    for _, _, _, s in log:
        codes[s] = codes.get(s, 0) + 1
    if 500 in codes:
        problems.append(f"{codes[500]} responses were 500")
    if not stats["outage_503"]:
        problems.append("no 503 seen during the shard outage: was the fault injected?")
    # 3 and 4, per user, 8 users at a time.
    with ThreadPoolExecutor(8) as pool:
        done = list(pool.map(lambda u: check_user(args, u, model[u], data["replicas"][u]),
                             model))
    checked = compared = items = 0
    final_syncs = []
    for p, c, n, i, s in done:
        problems += p
        checked, compared, items = checked + c, compared + n, items + i
        final_syncs += s
    # Tokens got before a user's move and used after it (the point of keeping ids).
    across = sum(1 for u, got, used, s in data["syncs"] + final_syncs
                 if u in moves and moves[u][1] and got and got < moves[u][0] and used > moves[u][1]
                 and s == 207)
    n_sync = sum(1 for e in data["syncs"] if e[3] == 207)
    print(f"requests by status: {dict(sorted(codes.items()))}")
    print(f"checked {checked} acknowledged resources; {stats}")
    print(f"sync: {n_sync} delta syncs during the load, {compared} replicas ({items} items) "
          f"equal to the server after a final sync, {across} syncs used a token from before "
          f"the user's move")
    if moves and not across:
        problems.append("no sync used a token across a move: the check did not run")
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
