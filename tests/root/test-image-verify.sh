#!/bin/bash
# Digests and cancellation: a blob that does not match its digest (layer,
# config, manifest, docker layer.tar against its diff_id) fails the import;
# an import cancelled mid-layer (by byte count, by SIGTERM while it waits
# on a slow source) fails; in every case nothing is left in the store.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/image-lib.sh"
require_root

R=$T/root
STORE=$R/var/lib/corral
tool() { "$IMAGE_TOOL" --root "$R" "$@"; }
clean_store() {
        [ "$(ls -A "$STORE/tmp")" = "" ] && [ "$(ls -A "$STORE/images")" = "" ] &&
                [ "$(ls -A "$STORE/layers/sha256")" = "" ]
}
# blob_of DIR KIND: path of the manifest, config or first layer blob.
blob_of() {
        python3 - "$1" "$2" <<'PY'
import json, sys
d, kind = sys.argv[1:3]
b = lambda dg: f"{d}/blobs/sha256/{dg.split(':')[1]}"
m = json.load(open(d + "/index.json"))["manifests"][0]["digest"]
man = json.load(open(b(m)))
print({"manifest": b(m), "config": b(man["config"]["digest"]), "layer": b(man["layers"][0]["digest"])}[kind])
PY
}

# A two-layer image with 8 MiB of incompressible data in the first.
mkdir -p "$T/src/a" "$T/src/b"
head -c 8M /dev/urandom >"$T/src/a/big"
echo top >"$T/src/b/top"
tar -C "$T/src/a" -cf "$T/a.tar" .
tar -C "$T/src/b" -cf "$T/b.tar" .
mkdir "$T/good"
make_oci_from_tars "$T/good" "$T/a.tar" "$T/b.tar"
ok "the intact image imports" tool import "$T/good" good
ok "and removes" tool remove good
ok "store empty again" clean_store

for kind in layer config manifest; do
        rm -rf "$T/bad"
        cp -a "$T/good" "$T/bad"
        f=$(blob_of "$T/bad" "$kind")
        # Flip the last byte: same name, other content.
        python3 -c 'import sys; p=sys.argv[1]; d=bytearray(open(p,"rb").read()); d[-1]^=1; open(p,"wb").write(d)' "$f"
        tool import "$T/bad" "bad-$kind" 2>/dev/null
        ok "$kind blob not matching its digest: import fails" test $? -ne 0
        ok "$kind blob not matching its digest: nothing left" clean_store
done

mkdir "$T/bad-diffid"
FIXTURE_BAD_DIFF_ID=x make_oci_from_tars "$T/bad-diffid" "$T/a.tar" "$T/b.tar"
tool import "$T/bad-diffid" bad-diffid 2>/dev/null
ok "layer not matching its diff_id: import fails" test $? -ne 0
ok "layer not matching its diff_id: nothing left" clean_store

# docker-archive: layer tars are checked through the config's diff_ids.
skopeo copy -q oci:"$T/good":t docker-archive:"$T/docker.tar":corral/verify:latest
mkdir "$T/dx"
tar -C "$T/dx" -xf "$T/docker.tar"
layer_tar=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[0]["Layers"][1])' "$T/dx/manifest.json")
# Change one byte of a file's contents: still a valid tar, another digest.
python3 - "$T/dx/$layer_tar" <<'PY'
import sys
p = sys.argv[1]; d = bytearray(open(p, "rb").read())
i = d.index(b"top\n"); d[i] = ord("T"); open(p, "wb").write(d)
PY
tar -C "$T/dx" -cf "$T/docker-bad.tar" .
tool import "$T/docker-bad.tar" docker-bad 2>/dev/null
ok "docker layer.tar not matching its diff_id: import fails" test $? -ne 0
ok "docker layer.tar not matching its diff_id: nothing left" clean_store
ok "the intact docker archive imports" tool import "$T/docker.tar" docker-good
ok "and removes" tool remove docker-good

# Cancel after 1 MiB of the 8 MiB layer.
tool import --cancel-after 1048576 "$T/good" cancelled 2>/dev/null
ok "import cancelled mid-layer fails" test $? -ne 0
ok "cancelled import leaves nothing" clean_store

# Cancel by SIGTERM while the import waits on a slow source: a FIFO fed
# the first entries of a tarball and then nothing.
mkfifo "$T/fifo"
python3 - "$T/fifo" "$T/release" 2>/dev/null <<'PY' &
import io, os, sys, tarfile, time
with open(sys.argv[1], "wb") as f:
    t = tarfile.open(fileobj=f, mode="w|")
    i = tarfile.TarInfo("first"); data = os.urandom(1 << 20); i.size = len(data)
    t.addfile(i, io.BytesIO(data)); f.flush()
    while not os.path.exists(sys.argv[2]):
        time.sleep(0.05)
PY
writer=$!
defer "touch '$T/release'; kill $writer"
"$IMAGE_TOOL" --root "$R" import --format tar "$T/fifo" slow 2>/dev/null & # not through tool(): $! is the importer
importer=$!
defer "kill $importer"
staged_first() { compgen -G "$STORE/tmp/import-*/layer-0/first" >/dev/null; }
ok "slow import has started unpacking" wait_for 20 staged_first
kill -TERM "$importer"
wait "$importer"
ok "import cancelled by SIGTERM fails" test $? -ne 0
touch "$T/release"
wait "$writer" 2>/dev/null
ok "SIGTERM-cancelled import leaves nothing" clean_store

# SIGKILL leaves no chance to clean up: the next import removes what the
# killed one left (its staging directory is no longer locked).
rm -f "$T/release"
python3 - "$T/fifo" "$T/release" 2>/dev/null <<'PY' &
import io, os, sys, tarfile, time
with open(sys.argv[1], "wb") as f:
    t = tarfile.open(fileobj=f, mode="w|")
    i = tarfile.TarInfo("first"); data = os.urandom(1 << 20); i.size = len(data)
    t.addfile(i, io.BytesIO(data)); f.flush()
    while not os.path.exists(sys.argv[2]):
        time.sleep(0.05)
PY
writer=$!
defer "touch '$T/release'; kill $writer"
"$IMAGE_TOOL" --root "$R" import --format tar "$T/fifo" killed 2>/dev/null &
importer=$!
defer "kill -9 $importer"
ok "second slow import has started unpacking" wait_for 20 staged_first
kill -KILL "$importer"
wait "$importer" 2>/dev/null
touch "$T/release"
wait "$writer" 2>/dev/null
ok "a SIGKILLed import leaves its staging behind" staged_first
ok "the next import succeeds" tool import "$T/good" after-kill
ok "and has removed the stale staging" test -z "$(ls -A "$STORE/tmp")"

done_testing
