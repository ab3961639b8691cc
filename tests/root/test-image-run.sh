#!/bin/bash
# corral-run --image: the container sees the tree `umoci unpack` produces;
# the image config is the default payload, environment and working
# directory; the writable layer persists in machines/NAME (or not, with
# --ephemeral); an image in use by a running machine is not removed; and
# an image of 120 layers mounts both through fsconfig(lowerdir+) and
# through the short-path fallback of mount(2).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/image-lib.sh"
require_root

R=$T/root
STORE=$R/var/lib/corral
tool() { "$IMAGE_TOOL" --root "$R" "$@"; }
run() { timeout 60 "$CORRAL_RUN" --root "$R" --console pipe -q "$@"; }

make_oci_fixture "$T/oci"
umoci unpack --image "$T/oci:t" "$T/ref" >/dev/null
ok "import the fixture" tool import "$T/oci" img

# The same listing inside the container and in a chroot of umoci's tree,
# both with the image's busybox. API file systems and the files the
# container's init layer provides are left out.
LIST='cd / && find . \( -path ./proc -o -path ./sys -o -path ./dev -o -path ./run -o -path ./tmp \) -prune -o -print | sort |
while read -r f; do
  case $f in ./etc/hostname|./etc/hosts|./etc/resolv.conf|./etc/machine-id) continue;; esac
  if [ -L "$f" ]; then x="-> $(readlink "$f") $(stat -c %Y "$f")"
  elif [ -f "$f" ]; then x="$(sha256sum <"$f" | cut -d" " -f1) $(stat -c "%Y %h" "$f")"
  else x=""; fi
  echo "$f $(stat -c "%F %a %u %g" "$f") $x"
done'
chroot "$T/ref/rootfs" /bin/sh -c "$LIST" >"$T/ref.lst"
run --image img -- -c "$LIST" >"$T/container.lst"
ok "container tree listed" test -s "$T/container.lst"
ok "container sees exactly umoci's tree" diff -u "$T/ref.lst" "$T/container.lst"

is "$(run --image img)" hi "image Entrypoint + Cmd are the default payload"
is "$(run --image img -- -c 'echo $FROM_IMAGE $(pwd)')" "1 /opt" "image Env and WorkingDir apply"
is "$(run --image img --chdir / -- -c 'pwd')" "/" "command line working directory wins"

run --image img -- -c 'echo kept >/written'
is "$(cat "$STORE/machines/img/upper/written" 2>/dev/null)" kept "writes land in machines/NAME/upper"
is "$(run --image img -- -c 'cat /written')" kept "the writable layer persists across runs"
ok "layers are not written" bash -c "! grep -rqs kept '$STORE/layers'"
is "$(run --image img --ephemeral -M eph -- -c 'cat /written 2>/dev/null; echo gone >/eph; cat /eph')" gone \
        "ephemeral machine has a writable layer"
ok "ephemeral writes are not kept" test ! -e "$STORE/machines/eph/upper/eph"

# In use while a machine runs on it.
timeout 60 "$CORRAL_RUN" --root "$R" --console pipe -q --image img -M busy -- \
        -c 'touch /ready; exec sleep 60' >/dev/null 2>&1 &
runner=$!
defer "kill $runner"
ok "machine on the image is running" wait_for 30 test -e "$STORE/machines/busy/upper/ready"
tool remove img 2>/dev/null
is "$?" 2 "image used by a running machine is not removed"
kill -TERM "$runner" # timeout passes it on: corral-run stops the machine cleanly
wait "$runner"
ok "image removable once the machine stopped" tool remove img

# 120 layers: a busybox base plus 119 small ones, each adding a file
# and replacing /top.
mkdir -p "$T/many/base"
make_rootfs "$T/many/base"
tar -C "$T/many/base" --numeric-owner -cf "$T/many/0.tar" .
python3 - "$T/many" <<'PY'
import io, sys, tarfile
for i in range(1, 120):
    with tarfile.open(f"{sys.argv[1]}/{i}.tar", "w") as t:
        for name, data in ((f"layers/f{i}", b"%d\n" % i), ("top", b"%d\n" % i)):
            ti = tarfile.TarInfo(name); ti.size = len(data); ti.mode = 0o644
            t.addfile(ti, io.BytesIO(data))
PY
mkdir "$T/many/oci"
make_oci_from_tars "$T/many/oci" $(for i in $(seq 0 119); do echo "$T/many/$i.tar"; done)
ok "import a 120-layer image" tool import "$T/many/oci" many
optlen=$(tool layers many | awk '{ n += length($0) + 1 } END { print n + 9 }')
ok "its lowerdir option ($optlen bytes) exceeds a page" test "$optlen" -gt "$(getconf PAGESIZE)"
for mode in fsconfig legacy; do
        mkdir -p "$T/m-$mode" "$T/s-$mode"
        if [ $mode = legacy ]; then
                ok "120 layers mount through short relative paths" tool mount --legacy many "$T/m-$mode" "$T/s-$mode"
        else
                ok "120 layers mount through fsconfig(lowerdir+)" tool mount many "$T/m-$mode" "$T/s-$mode"
        fi
        is "$(ls "$T/m-$mode/layers" | wc -l) $(cat "$T/m-$mode/top")" "119 119" "$mode: every layer visible, top one wins"
        umount "$T/m-$mode"
done
ok "no scratch directory left by the fallback" bash -c "! compgen -G '/tmp/.corral-overlay-*' >/dev/null"
is "$(run --image many -- /bin/sh -c 'cat /top; ls /layers | wc -l')" "$(printf '119\n119')" \
        "a machine runs on the 120-layer image"

done_testing
