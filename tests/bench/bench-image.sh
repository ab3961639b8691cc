#!/bin/bash
# Image figures (not a test), in one run on this host:
#   1. import of the 3-layer umoci fixture (OCI layout, and the same as a
#      docker-archive) against `umoci unpack` of it, then the first start
#      of a machine on the imported image against a start on umoci's tree;
#   2. a machine start on a 20-layer image against a 1-layer image of the
#      same busybox rootfs, N starts each (goal: no difference beyond noise).
#
#   tests/bench/bench-image.sh [BUILD_DIR] [N]     (as root)
set -eu

B=$(realpath "${1:-build}")
N=${2:-20}
IMAGE_TOOL=$B/tests/root/image-tool
CORRAL_RUN=$B/machined/corral-run
PAYLOAD=$B/tests/payload/corral-test-payload
S=$(realpath "$(dirname "$0")/../..")

[ "$(id -u)" = 0 ] || { echo "needs root" >&2; exit 1; }
for x in "$IMAGE_TOOL" "$CORRAL_RUN" "$PAYLOAD"; do
        [ -x "$x" ] || { echo "build $x first" >&2; exit 1; }
done

# The root suite's harness gives $T, its cleanup (mounts included) and
# make_rootfs; image-lib.sh the fixtures.
export CORRAL_BUILD_DIR=$B CORRAL_SOURCE_DIR=$S CORRAL_TEST_PAYLOAD=$PAYLOAD
# shellcheck source=../root/lib.sh
. "$S/tests/root/lib.sh"
# shellcheck source=../root/image-lib.sh
. "$S/tests/root/image-lib.sh"

ms() { # ms COMMAND...: wall time of one run, in milliseconds
        local t0 t1
        t0=$(date +%s%N)
        "$@" >/dev/null 2>&1
        t1=$(date +%s%N)
        echo $(((t1 - t0) / 1000000))
}
stats() { # mean, median, min, max of numbers on stdin
        sort -n | awk '{ a[NR] = $1; s += $1 } END { printf "mean %.1f  median %.1f  min %d  max %d", s / NR, a[int((NR + 1) / 2)], a[1], a[NR] }'
}

echo "# host: $(uname -r), $(nproc) CPUs; figures in ms"
make_oci_fixture "$T/oci"
skopeo copy -q oci:"$T/oci":t docker-archive:"$T/docker.tar":corral/bench:latest
echo "# 1. the 3-layer fixture ($(du -sh "$T/oci" | cut -f1) OCI layout), mean of 5"
imp=() dimp=() umo=() fst=() ust=()
for i in 1 2 3 4 5; do
        sync
        imp+=("$(ms "$IMAGE_TOOL" --root "$T/r$i" import "$T/oci" img)")
        dimp+=("$(ms "$IMAGE_TOOL" --root "$T/d$i" import "$T/docker.tar" img)")
        umo+=("$(ms umoci unpack --image "$T/oci:t" "$T/u$i")")
        fst+=("$(ms "$CORRAL_RUN" --root "$T/r$i" --image img --console pipe -q -- -c true)")
        ust+=("$(ms "$CORRAL_RUN" --root "$T/r$i" -D "$T/u$i/rootfs" --console pipe -q -- /bin/true)")
done
printf 'import OCI layout (corral):       %s\n' "$(printf '%s\n' "${imp[@]}" | stats)"
printf 'import docker-archive (corral):   %s\n' "$(printf '%s\n' "${dimp[@]}" | stats)"
printf 'umoci unpack:                     %s\n' "$(printf '%s\n' "${umo[@]}" | stats)"
printf 'first start on the image:         %s\n' "$(printf '%s\n' "${fst[@]}" | stats)"
printf 'start on umoci tree (-D):         %s\n' "$(printf '%s\n' "${ust[@]}" | stats)"

echo "# 2. machine start on a 1-layer vs a 20-layer image, $N starts each, alternating"
mkdir -p "$T/many/base"
make_rootfs "$T/many/base"
tar -C "$T/many/base" --numeric-owner -cf "$T/many/0.tar" .
python3 - "$T/many" <<'PY'
import io, sys, tarfile
for i in range(1, 20):
    with tarfile.open(f"{sys.argv[1]}/{i}.tar", "w") as t:
        data = b"%d\n" % i
        ti = tarfile.TarInfo(f"layers/f{i}"); ti.size = len(data); ti.mode = 0o644
        t.addfile(ti, io.BytesIO(data))
PY
mkdir "$T/one" "$T/twenty"
make_oci_from_tars "$T/one" "$T/many/0.tar"
make_oci_from_tars "$T/twenty" $(for i in $(seq 0 19); do echo "$T/many/$i.tar"; done)
"$IMAGE_TOOL" --root "$T/s" import "$T/one" one
"$IMAGE_TOOL" --root "$T/s" import "$T/twenty" twenty
for img in one twenty; do # warm up, and create the machines' upper layers
        "$CORRAL_RUN" --root "$T/s" --image $img --console pipe -q -- /bin/true
done
: >"$T/one.ms"
: >"$T/twenty.ms"
for _ in $(seq "$N"); do
        for img in one twenty; do
                ms "$CORRAL_RUN" --root "$T/s" --image $img --console pipe -q -- /bin/true >>"$T/$img.ms"
        done
done
printf '1 layer:    %s\n' "$(stats <"$T/one.ms")"
printf '20 layers:  %s\n' "$(stats <"$T/twenty.ms")"
