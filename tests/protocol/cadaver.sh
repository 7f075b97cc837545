#!/usr/bin/env bash
# cadaver (an interactive WebDAV client, Debian package) driven by a script
# on stdin: mkcol, put, ls, get (bytes compared), copy, move, propset,
# propget, lock, unlock, delete. Credentials come from ~/.netrc in a
# temporary HOME, as a user would set them up.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

proto_init
proto_start main

export HOME="$WORK/home"
mkdir -p "$HOME"
printf 'machine 127.0.0.1\nlogin alice\npassword %s\n' "$ALICE_PW" >"$HOME/.netrc"
chmod 600 "$HOME/.netrc"

# Binary content with every byte value, plus some text.
local_file="$WORK/upload.bin"
{ for i in $(seq 0 255); do printf "\\x$(printf %02x "$i")"; done; head -c 20000 /dev/urandom; } \
    >"$local_file"

cat >"$WORK/commands" <<CMDS
mkcol cadtest
cd cadtest
put $local_file data.bin
ls
get data.bin $WORK/download.bin
copy data.bin copy.bin
move copy.bin moved.bin
propset data.bin colour blue
propget data.bin colour
lock data.bin
unlock data.bin
delete moved.bin
ls
quit
CMDS

cd "$WORK"
set +e
timeout 120 cadaver "$URL_main/calendars/users/alice/" <"$WORK/commands" >"$WORK/cadaver.out" 2>&1
rc=$?
set -e
cat "$WORK/cadaver.out" >&2
expect_eq "cadaver exit status" 0 "$rc"

out=$(cat "$WORK/cadaver.out")
check_out() {  # check_out WHAT REGEX
    if grep -qE "$2" <<<"$out"; then pass "$1"; else fail "$1: no line matching /$2/"; fi
}
check_out "mkcol" "Creating .cadtest.: succeeded"
check_out "ls" "Listing collection .*succeeded"
check_out "ls shows data.bin" "^ +data.bin +[0-9]+"
check_out "put" "Uploading .*data.bin.*succeeded"
check_out "get" "Downloading .*data.bin.*succeeded"
check_out "copy" "Copying .*succeeded"
check_out "move" "Moving .*succeeded"
check_out "propset" "Setting property on .data.bin.: succeeded"
check_out "propget" "Value of colour is: blue"
check_out "lock" "Locking .data.bin.: succeeded"
check_out "unlock" "Unlocking .data.bin.: succeeded"
check_out "delete" "Deleting .moved.bin.: succeeded"
if grep -qiE "failed|error" <<<"$out"; then
    fail "cadaver reported: $(grep -iE 'failed|error' <<<"$out" | head -n 5 | tr '\n' ';')"
fi

if cmp -s "$local_file" "$WORK/download.bin"; then
    pass "downloaded bytes equal uploaded bytes"
else
    fail "downloaded file differs from the upload"
fi

# The server's state agrees with what cadaver said.
base="$URL_main/calendars/users/alice/cadtest"
expect_eq "GET data.bin" 200 "$(http GET "$base/data.bin" alice)"
expect_eq "GET moved.bin after delete" 404 "$(http GET "$base/moved.bin" alice)"
expect_eq "GET copy.bin after move" 404 "$(http GET "$base/copy.bin" alice)"
curl -s -u "alice:$ALICE_PW" -o "$WORK/again.bin" "$base/data.bin"
cmp -s "$local_file" "$WORK/again.bin" && pass "GET bytes equal" || fail "GET bytes differ"
proto_finish
