#!/usr/bin/env bash
# /metrics on the admin port (DESIGN.md, URL namespace): Prometheus itself
# (Debian's prometheus package) scrapes a running server and must find the
# requests made here, by method and status, the shard's statement groups
# and the process; promtool lints the exposition. Also: /metrics is not on
# the public port, and the dashboard's place answers 501 (not built yet).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

proto_init
proto_start main
url=$URL_main
admin=$ADMIN_main
cal="$url/calendars/users/alice/calendar"

event() {
    printf 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//metrics test//EN\r\nBEGIN:VEVENT\r\nUID:%s\r\nDTSTAMP:20261201T000000Z\r\nDTSTART:20261210T100000Z\r\nDTEND:20261210T110000Z\r\nSUMMARY:%s\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n' "$1" "$1"
}
put() {
    http PUT "$cal/$1.ics" alice -H 'Content-Type: text/calendar' --data-binary "$(event "$1")"
}
expect_eq "PUT m1" 201 "$(put m1)"
expect_eq "PUT m2" 201 "$(put m2)"
expect_eq "GET m1" 200 "$(http GET "$cal/m1.ics" alice)"
expect_eq "GET missing" 404 "$(http GET "$cal/none.ics" alice)"
expect_eq "PROPFIND Depth 1" 207 "$(http PROPFIND "$cal/" alice -H 'Depth: 1')"
expect_eq "GET without credentials" 401 "$(http GET "$cal/m1.ics" -)"

# The exposition as a scraper sees it.
body="$WORK/metrics.txt"
ctype=$(curl -s -o "$body" -w '%{content_type}' "$admin/metrics")
expect_eq "content type" "text/plain; version=0.0.4; charset=utf-8" "$ctype"
if promtool check metrics <"$body" >"$WORK/promtool.out" 2>&1; then
    pass "promtool check metrics"
else
    fail "promtool check metrics: $(cat "$WORK/promtool.out")"
fi
sample() { grep -F "$1 " "$body" | awk '{print $2}'; }
expect_eq "PUT 201 counted" 2 \
    "$(sample 'cosmo_http_requests_total{listener="public",method="PUT",code="201"}')"
expect_eq "GET 404 counted" 1 \
    "$(sample 'cosmo_http_requests_total{listener="public",method="GET",code="404"}')"
expect_eq "401 counted" 1 \
    "$(sample 'cosmo_http_requests_total{listener="public",method="GET",code="401"}')"
expect_eq "PROPFIND timed" 1 \
    "$(sample 'cosmo_http_request_duration_seconds_count{listener="public",method="PROPFIND"}')"
# alice lives on one of the two shards; that one has read her objects.
reads=$(grep -E '^cosmo_db_group_requests_total\{shard="shard[12]",statement="open_object"\}' \
    "$body" | awk '{s += $2} END {print s + 0}')
if ((reads >= 1)); then pass "object reads counted ($reads)"; else fail "no object reads counted"; fi
if grep -qE '^cosmo_cache_max_bytes\{cache="object"\} [1-9]' "$body" &&
    grep -qE '^cosmo_cache_max_bytes\{cache="listing"\} [1-9]' "$body"; then
    pass "caches reported"
else
    fail "no cosmo_cache_max_bytes for the object and listing caches"
fi
if grep -qE '^process_resident_memory_bytes [1-9]' "$body"; then
    pass "process memory reported"
else
    fail "no process_resident_memory_bytes"
fi

expect_eq "/metrics is not on the public port" 404 "$(http GET "$url/metrics" alice)"
expect_eq "the dashboard is not built yet" 501 "$(http GET "$admin/admin/" -)"

# A real Prometheus scrapes the admin port once a second.
pport=$(free_port)
cat >"$WORK/prometheus.yml" <<YML
global:
  scrape_interval: 1s
scrape_configs:
  - job_name: cosmo
    static_configs:
      - targets: ['127.0.0.1:$APORT_main']
YML
prometheus --config.file="$WORK/prometheus.yml" --storage.tsdb.path="$WORK/tsdb" \
    --web.listen-address="127.0.0.1:$pport" >"$WORK/prometheus.log" 2>&1 &
prom_pid=$!
echo "$prom_pid" >>"$WORK/server-pids"
query() {
    curl -s --get "http://127.0.0.1:$pport/api/v1/query" --data-urlencode "query=$1" |
        python3 -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else "")' \
            2>/dev/null || true
}
puts=""
for ((i = 0; i < 300; i++)); do
    puts=$(query 'sum(cosmo_http_requests_total{job="cosmo",method="PUT",code="201"})')
    [[ -n "$puts" ]] && break
    sleep 0.1
done
expect_eq "Prometheus scraped the PUTs" 2 "$puts"
expect_eq "Prometheus sees the target up" 1 "$(query 'up{job="cosmo"}')"
health=$(curl -s "http://127.0.0.1:$pport/api/v1/targets" |
    python3 -c 'import json,sys; t=json.load(sys.stdin)["data"]["activeTargets"][0]; print(t["health"], t["lastError"] or "-")' \
        2>/dev/null || true)
expect_eq "scrape without errors" "up -" "$health"
kill "$prom_pid" 2>/dev/null || true
wait "$prom_pid" 2>/dev/null || true

proto_finish
