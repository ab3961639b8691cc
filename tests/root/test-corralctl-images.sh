#!/bin/bash
# corralctl's image verbs against a private corrald: import-tar,
# import-oci, import-docker (plain lines off a terminal, a progress bar on
# one), images as a table and as JSON, remove-image, and the errors: a
# missing image, an existing name, an unreadable file, a non-root caller.
. "$(dirname "$0")/lib.sh"
require_root
. "$(dirname "$0")/corralctl-lib.sh"
. "$(dirname "$0")/image-lib.sh"

start_bus
start_corrald
defer_machine_cleanup

make_rootfs "$T/rootfs"
echo "from the tarball" >"$T/rootfs/etc/marker"
tar -C "$T/rootfs" -czf "$T/rootfs.tar.gz" .
make_oci_fixture "$T/oci"
skopeo copy --quiet "oci:$T/oci:t" "docker-archive:$T/docker.tar:busybox:t" >/dev/null 2>&1

# --- imports, not on a terminal ------------------------------------------------
ctl images
is "$OUT" "NAME TYPE RO USAGE CREATED MODIFIED

0 images listed." "images of an empty store (golden)"

ctl import-tar "$T/rootfs.tar.gz" plain
is "$RC" 0 "import-tar exits 0"
like "$ERR" "Imported image 'plain'." "import-tar reports the result"
ok "import-tar prints plain progress lines, no bar, off a terminal" bash -c '! grep -q "\[#" <<<"$1" && ! grep -q $'"'"'\r'"'"' <<<"$1"' _ "$ERR"
ok "the image is in the store" test -e "$ROOT/var/lib/corral/images/plain"
layer=$(grep -rl "from the tarball" "$ROOT/var/lib/corral/layers/sha256/"*/etc/marker 2>/dev/null | head -1)
ok "its layer holds the tarball's files" test -n "$layer"

ctl import-oci "$T/oci:t" layered
is "$RC" 0 "import-oci DIR:TAG exits 0"
ctl import-docker "$T/docker.tar" fromdocker
is "$RC" 0 "import-docker exits 0"

# --- images ----------------------------------------------------------------------
ctl images --no-legend
is "$(printf '%s\n' "$OUT" | awk '{print $1, $2, $3}' | tr '\n' ';')" "fromdocker layered yes;layered layered yes;plain layered yes;" \
        "images lists the three (name, type, read-only)"
ctl images --json
is "$(json_get "$OUT" '[(i["name"], i["read_only"], i["usage_bytes"] > 0, i["created_usec"] > 0) for i in j]')" \
        "[('fromdocker', True, True, True), ('layered', True, True, True), ('plain', True, True, True)]" \
        "images --json"
usage=$(json_get "$OUT" '[i["usage_bytes"] for i in j if i["name"] == "plain"][0]')
ok "the usage of the tar image is about the size of the rootfs" \
        test "$usage" -gt "$(($(stat -c %s /bin/busybox) / 2))"

# --- progress bar on a terminal ----------------------------------------------------
# Big enough that the import outlasts a few progress polls.
mkdir -p "$T/big"
head -c $((96 << 20)) /dev/urandom >"$T/big/blob"
tar -C "$T/big" -czf "$T/big.tar.gz" .
tty_out=$(script -qec "'$CORRALCTL' import-tar '$T/big.tar.gz' ontty" /dev/null)
like "$tty_out" "Imported image 'ontty'" "import on a terminal succeeds"
like "$tty_out" $'\r\\[[# ]+\\] +[0-9]+% ' "import on a terminal draws a progress bar"

# --- errors -----------------------------------------------------------------------
ctl import-tar "$T/rootfs.tar.gz" plain
is "$RC" 1 "importing over an existing name exits 1"
is "$ERR" "Failed to import image 'plain': Image 'plain' exists already." "... saying it exists, in one line"
ctl import-tar "$T/missing.tar" other
is "$RC" 1 "importing a missing file exits 1"
like "$ERR" "missing.tar" "... naming the file"
head -c 4096 /dev/urandom >"$T/garbage.tar"
ctl import-tar "$T/garbage.tar" garbage
is "$RC" 1 "importing garbage exits 1"
like "$(printf '%s\n' "$ERR" | tail -1)" "^Failed to import image 'garbage': " "... with one line naming the image"
ok "a failed import leaves no image behind" test ! -e "$ROOT/var/lib/corral/images/garbage"
ctl remove-image nope
is "$RC" 1 "removing a missing image exits 1"
is "$ERR" "No image 'nope'" "... with one line naming it"
ctl_nobody images --no-legend
is "$RC" 0 "a non-root caller may list images"
ctl_nobody import-tar "$T/rootfs.tar.gz" sneaky
is "$RC" 1 "a non-root caller may not import"
like "$ERR" "Access denied" "... and is told so"
ctl_nobody remove-image plain
is "$RC" 1 "a non-root caller may not remove images"

# --- remove-image ---------------------------------------------------------------------
ctl remove-image plain ontty
is "$RC" 0 "remove-image of two images exits 0"
ok "the images are gone from the store" test ! -e "$ROOT/var/lib/corral/images/plain" -a ! -e "$ROOT/var/lib/corral/images/ontty"
ctl images --no-legend
is "$(printf '%s\n' "$OUT" | awk '{print $1}' | tr '\n' ' ')" "fromdocker layered " "images lists what is left"

# --- ^C cancels an import ----------------------------------------------------------
# A FIFO fed slowly keeps the import going for as long as we like.
mkfifo "$T/slow.tar.gz"
"$PY" -c '
import sys, time
data = open(sys.argv[1], "rb").read()
try:
    with open(sys.argv[2], "wb") as o:
        for i in range(0, len(data), 256 << 10):
            o.write(data[i:i + (256 << 10)]); o.flush(); time.sleep(0.05)
except BrokenPipeError:
    pass' "$T/big.tar.gz" "$T/slow.tar.gz" &
writer=$!
defer "kill $writer"
"$CORRALCTL" import-tar "$T/slow.tar.gz" slow 2>"$T/slow.err" &
importer=$!
ok "the slow import is under way" wait_for 20 bash -c "ls '$ROOT/var/lib/corral/tmp/' 2>/dev/null | grep -q import-"
sleep 0.5
kill -INT "$importer"
wait "$importer"
is "$?" 1 "an import interrupted with ^C exits 1"
like "$(cat "$T/slow.err")" "Cancelling the import of 'slow'" "... after cancelling the job"
like "$(tail -1 "$T/slow.err")" "^Failed to import image 'slow': cancelled" "... which ends cancelled"
ok "a cancelled import leaves no image" test ! -e "$ROOT/var/lib/corral/images/slow"
ok "... and no staging directory" bash -c "! ls '$ROOT/var/lib/corral/tmp/' 2>/dev/null | grep -q ."
kill "$writer" 2>/dev/null

# bash completion of image names
is "$(PATH=$B/tools:$PATH bash -c 'complete() { :; }; . "$1"; COMP_WORDS=(corralctl remove-image "");
        COMP_CWORD=2; _corralctl; printf "%s " "${COMPREPLY[@]}"' _ "$S/tools/completion/corralctl.bash")" \
        "fromdocker layered " "completion of image names"

done_testing
