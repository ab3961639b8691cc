#!/bin/bash
# Malicious tarballs, crafted here with python3's tarfile: each is refused
# (the import fails and leaves nothing) or contained (the import succeeds
# and everything it wrote is inside its layer); in no case is anything
# written outside the store.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/image-lib.sh"
require_root

R=$T/root
STORE=$R/var/lib/corral
O=$T/outside
E=$T/evil
mkdir -p "$O" "$E"
echo victim >"$O/victim"
# A name at the file system root that a climbing entry would hit.
ESC=corral-escape-$$
defer "rm -rf '/tmp/$ESC' '/$ESC'"
tool() { "$IMAGE_TOOL" --root "$R" "$@"; }

python3 - "$E" "$O" "$ESC" <<'PY'
import io, sys, tarfile
E, O, ESC = sys.argv[1:4]
def tar(name, entries, fmt=tarfile.PAX_FORMAT):
    with tarfile.open(f"{E}/{name}.tar", "w", format=fmt) as t:
        for e in entries:
            kind, path = e[0], e[1]
            i = tarfile.TarInfo(path)
            i.mode = 0o644
            data = None
            if kind == "file":
                data = e[2] if len(e) > 2 else b"pwned\n"
                i.size = len(data)
            elif kind == "dir":
                i.type, i.mode = tarfile.DIRTYPE, 0o755
            elif kind == "sym":
                i.type, i.linkname = tarfile.SYMTYPE, e[2]
            elif kind == "hard":
                i.type, i.linkname = tarfile.LNKTYPE, e[2]
            elif kind == "chr":
                i.type, i.devmajor, i.devminor = tarfile.CHRTYPE, 1, 3
            elif kind == "blk":
                i.type, i.devmajor, i.devminor = tarfile.BLKTYPE, 8, 0
            t.addfile(i, io.BytesIO(data) if data is not None else None)

up = "../" * 40
# refused
tar("dotdot", [("file", up + "tmp/" + ESC)])
tar("dotdot-mid", [("dir", "a"), ("file", "a/../../" + ESC)])
tar("symlink-write", [("sym", "l", O), ("file", "l/pwned")])
tar("symlink-climb", [("sym", "l", up + O.lstrip("/")), ("file", "l/pwned")])
tar("symlink-chain", [("dir", "d"), ("sym", "d/a", "../b"), ("sym", "b", up), ("file", "d/a/" + ESC)])
tar("symlink-dir-mkdir", [("sym", "l", O), ("file", "l/newdir/pwned")])
tar("hardlink-abs", [("hard", "h", O + "/victim")])
tar("hardlink-dotdot", [("hard", "h", up + O.lstrip("/") + "/victim")])
tar("hardlink-via-symlink", [("sym", "l", O), ("hard", "h", "l/victim")])
tar("long-path", [("file", "a/" * 2100 + "x")])
tar("long-component", [("file", "x" * 300)])
# contained
tar("absolute", [("file", O + "/abs")])
tar("symlink-replaced", [("file", "f", b"one\n"), ("sym", "f", O + "/victim"), ("file", "f", b"evil\n")])
tar("devices", [("chr", "null"), ("blk", "sda"), ("file", "ok")])
tar("nul-name", [("file", "ok\x00/" + up + "tmp/" + ESC)], fmt=tarfile.GNU_FORMAT)
# layers with whiteouts through a planted symlink
tar("layer-whiteout-symlink", [("sym", "l", O), ("file", "l/.wh.victim")])
tar("layer-opaque-symlink", [("sym", "l", O), ("file", "l/.wh..wh..opq")])
tar("layer-whiteout-dotdot", [("file", ".wh..."), ("file", "ok")])
PY

snapshot() {
        # $T's own mtime changes with the snapshots; everything below counts.
        find "$T" -mindepth 1 \( -path "$R/var" -o -path "$E" \) -prune -o -printf '%p %y %m %s %n %T@\n' | sort
        ls -d "/tmp/$ESC" "/$ESC" 2>/dev/null
}
tool list >/dev/null # creates the store before the snapshot
snapshot >"$E/before"

clean_store() {
        [ "$(ls -A "$STORE/tmp")" = "" ] && [ "$(ls -A "$STORE/images")" = "" ] &&
                [ "$(ls -A "$STORE/layers/sha256")" = "" ]
}

for c in dotdot dotdot-mid symlink-write symlink-climb symlink-chain symlink-dir-mkdir hardlink-abs \
        hardlink-dotdot hardlink-via-symlink long-path long-component; do
        tool import --format tar "$E/$c.tar" "$c" 2>/dev/null
        ok "$c: refused" test $? -ne 0
        ok "$c: nothing left in the store" clean_store
done

layer() { tool layers "$1"; }
ok "absolute: contained" tool import --format tar "$E/absolute.tar" absolute
ok "absolute: written inside the layer" test -f "$(layer absolute)$O/abs"
ok "symlink-replaced: contained" tool import --format tar "$E/symlink-replaced.tar" symlink-replaced
is "$(cat "$(layer symlink-replaced)/f")" evil "symlink-replaced: the last entry is a plain file in the layer"
ok "devices: contained" tool import --format tar "$E/devices.tar" devices
ok "devices: no device node created" test ! -e "$(layer devices)/null" -a ! -e "$(layer devices)/sda"
ok "devices: the rest unpacked" test -f "$(layer devices)/ok"
if tool import --format tar "$E/nul-name.tar" nul-name 2>/dev/null; then
        ok "nul-name: contained (name cut at the NUL)" test -f "$(layer nul-name)/ok"
else
        ok "nul-name: refused, nothing left" clean_store
fi

for c in whiteout-symlink opaque-symlink; do
        mkdir "$E/oci-$c"
        make_oci_from_tars "$E/oci-$c" "$E/layer-$c.tar"
        tool import "$E/oci-$c" "$c" 2>/dev/null
        ok "layer $c: refused" test $? -ne 0
done
mkdir "$E/oci-wh-dotdot"
make_oci_from_tars "$E/oci-wh-dotdot" "$E/layer-whiteout-dotdot.tar"
ok "layer whiteout of '..': contained" tool import "$E/oci-wh-dotdot" wh-dotdot
ok "layer whiteout of '..': skipped, the rest unpacked" test -f "$(layer wh-dotdot)/ok"

is "$(cat "$O/victim")" victim "victim file unchanged"
is "$(stat -c %h "$O/victim")" 1 "victim file not hard-linked"
snapshot >"$E/after"
ok "nothing written outside the store" diff -u "$E/before" "$E/after"
is "$(ls -A "$STORE/tmp" | wc -l)" 0 "no staging left behind"

done_testing
