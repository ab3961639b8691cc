#!/bin/bash
# Import of the 3-layer umoci fixture as an OCI layout, an OCI archive, a
# skopeo docker-archive and the newer docker-save form (OCI inside), and
# of plain rootfs tarballs: the overlaid tree equals `umoci unpack`
# (names, types, modes, owners, times, link counts,
# contents, symlink targets); whiteouts and the opaque directory are what
# overlayfs reads; shared layers are unpacked once; removal drops only
# unused layers and refuses an image in use.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/image-lib.sh"
require_root

R=$T/root
STORE=$R/var/lib/corral
tool() { "$IMAGE_TOOL" --root "$R" "$@"; }

make_oci_fixture "$T/oci"
skopeo copy -q oci:"$T/oci":t docker-archive:"$T/docker.tar":corral/fixture:latest
tar -C "$T/oci" -cf "$T/oci-archive.tar" .
umoci unpack --image "$T/oci:t" "$T/ref" >/dev/null
tree_listing "$T/ref/rootfs" >"$T/ref.lst"

# mounted_listing NAME: the image's overlay, listed like the reference.
mounted_listing() {
        local m=$T/mnt-$1 s=$T/scratch-$1
        mkdir -p "$m" "$s"
        tool mount "$1" "$m" "$s" || return 1
        tree_listing "$m"
        umount "$m"
}

ok "import OCI layout" tool import "$T/oci" oci-img
mounted_listing oci-img >"$T/oci.lst"
ok "OCI image overlay equals umoci unpack" diff -u "$T/ref.lst" "$T/oci.lst"
is "$(ls "$STORE/layers/sha256" | wc -l)" 3 "three layers stored"

layer_of() { # layer dir (bottom = 1) of an image
        tool layers "$1" | tac | sed -n "${2}p"
}
L1=$(layer_of oci-img 1)
L2=$(layer_of oci-img 2)
L3=$(layer_of oci-img 3)
ino_before=$(stat -c %i "$L1/bin/busybox")

is "$(stat -c '%F %t,%T' "$L2/etc/group")" "character special file 0,0" "deleted file is an overlayfs whiteout (0/0)"
is "$(getfattr --only-values -n trusted.overlay.opaque "$L3/opt/data" 2>/dev/null)" "y" "opaque marker sets trusted.overlay.opaque=y"
ok "opaque marker itself is not unpacked" test ! -e "$L3/opt/data/.wh..wh..opq"
is "$(stat -c %a "$L1/usr/bin/suid")" 4755 "setuid bit kept in the layer"
is "$(stat -c %i "$L1/usr/bin/suid")" "$(stat -c %i "$L1/usr/bin/suid-link")" "hard link resolved inside the layer"
is "$(getfattr --only-values -n user.corral "$L1/etc/xattr-file" 2>/dev/null)" yes "xattr kept"

cfg=$(python3 -c 'import json,sys; c=json.load(open(sys.argv[1]))["config"]; print(c.get("Entrypoint"), c.get("Cmd"), c.get("Env"), c.get("WorkingDir"), c.get("User"))' "$STORE/images/oci-img")
like "$cfg" "^\['/bin/sh'\] \['-c', 'echo hi'\] \[.*'FROM_IMAGE=1'.*\] /opt 0:0$" "config Entrypoint/Cmd/Env/WorkingDir/User stored"

ok "import docker-archive (skopeo)" tool import "$T/docker.tar" docker-img
mounted_listing docker-img >"$T/docker.lst"
ok "docker image overlay equals umoci unpack" diff -u "$T/ref.lst" "$T/docker.lst"
is "$(ls "$STORE/layers/sha256" | wc -l)" 3 "docker import shares the three layers"
is "$(stat -c %i "$L1/bin/busybox")" "$ino_before" "shared layer not unpacked again"

make_docker_oci_archive "$T/oci" "$T/docker-oci.tar" corral/fixture:latest
ok "import the newer docker-save form (OCI layout inside)" tool import --ref corral/fixture:latest "$T/docker-oci.tar" dockeroci-img
mounted_listing dockeroci-img >"$T/dockeroci.lst"
ok "newer docker form overlay equals umoci unpack" diff -u "$T/ref.lst" "$T/dockeroci.lst"
is "$(ls "$STORE/layers/sha256" | wc -l)" 3 "and shares the same three layers"

ok "import OCI archive" tool import --ref t "$T/oci-archive.tar" ociar-img
mounted_listing ociar-img >"$T/ociar.lst"
ok "OCI archive overlay equals umoci unpack" diff -u "$T/ref.lst" "$T/ociar.lst"

ok "import refuses a taken name" bash -c "! '$IMAGE_TOOL' --root '$R' import '$T/oci' oci-img 2>/dev/null"
ok "import refuses an unknown tag" bash -c "! '$IMAGE_TOOL' --root '$R' import --ref nope '$T/oci' other 2>/dev/null"

# Plain rootfs tarballs in every compression.
make_rootfs "$T/plain"
echo plain >"$T/plain/etc/motd"
tree_listing "$T/plain" >"$T/plain.lst"
for z in gzip xz zstd bzip2; do
        if ! command -v "$z" >/dev/null; then
                skip "rootfs tarball ($z)" "$z not installed"
                continue
        fi
        tar -C "$T/plain" --numeric-owner -cf - . | "$z" -c >"$T/plain.tar.$z"
        ok "import $z rootfs tarball" tool import "$T/plain.tar.$z" "plain-$z"
        mounted_listing "plain-$z" >"$T/plain-$z.lst"
        ok "$z tarball overlay equals the directory" diff -u "$T/plain.lst" "$T/plain-$z.lst"
done
is "$(ls "$STORE/layers/sha256" | wc -l)" 4 "the same rootfs in four compressions is one layer"

list=$(tool list | awk '{print $1 ":" $2}' | tr '\n' ' ')
like "$list" "^docker-img:3 dockeroci-img:3 oci-img:3 ociar-img:3 plain-bzip2:1 plain-gzip:1 " "list shows every image with its layer count"

# Removal: only unused layers go; an image in use stays unless forced.
ok "remove docker-img" tool remove docker-img
ok "layers still used by others stay" test -d "$L1" -a -d "$L3"
# The holder stands for a running machine: it keeps the image in use
# until $T/release appears.
tool use oci-img bash -c "touch '$T/in-use'; while [ ! -e '$T/release' ]; do sleep 0.05; done" >/dev/null 2>&1 &
holder=$!
defer "touch '$T/release'; wait $holder"
wait_for 10 test -e "$T/in-use"
tool remove oci-img 2>/dev/null
is "$?" 2 "remove refuses an image in use"
ok "image in use still listed" test -f "$STORE/images/oci-img"
ok "forced remove of an image in use" tool remove --force oci-img
touch "$T/release"
wait "$holder"
ok "remove the newer docker form" tool remove dockeroci-img
ok "remove the last user" tool remove ociar-img
ok "unused layers removed with it" test ! -e "$L1" -a ! -e "$L2" -a ! -e "$L3"
for z in gzip xz zstd bzip2; do tool remove "plain-$z" 2>/dev/null; done
is "$(ls "$STORE/layers/sha256" | wc -l)" 0 "no layer left after removing every image"
is "$(ls -A "$STORE/tmp" | wc -l)" 0 "no staging left behind"

done_testing
