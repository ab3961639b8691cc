# shellcheck shell=bash
# Image fixtures and tree comparison for the image root tests and the
# benchmark; sourced after lib.sh (needs make_rootfs, $T, $B).
#
#   make_oci_fixture DIR   3-layer OCI layout DIR, tag "t", made offline with
#                          umoci from a busybox rootfs:
#                            1. the rootfs, plus a setuid file, a file owned by
#                               nobody, a hard link, an xattr, opt/data/{old1,old2}
#                            2. etc/group deleted (a whiteout), etc/motd added
#                            3. hand-made tar: opt/data made opaque (marker
#                               written after the directory's new entries;
#                               opt/ itself, 0751 nobody, not listed)
#   tree_listing DIR       one line per entry: path type mode uid gid
#                          mtime (not of directories) link-count content-hash-or-link-target

IMAGE_TOOL=$B/tests/root/image-tool

make_oci_fixture() {
        local oci=$1 work
        work=$(mktemp -d "$T/fixture.XXXXXX")
        umoci init --layout "$oci" >/dev/null
        umoci new --image "$oci:t" >/dev/null
        umoci unpack --image "$oci:t" "$work/b" >/dev/null
        rm -rf "$work/b/rootfs"
        make_rootfs "$work/b/rootfs"
        local r=$work/b/rootfs
        printf 'suid\n' >"$r/usr/bin/suid" && chmod 4755 "$r/usr/bin/suid"
        printf 'nobody\n' >"$r/home-nobody" && chown 65534:65534 "$r/home-nobody" && chmod 640 "$r/home-nobody"
        ln "$r/usr/bin/suid" "$r/usr/bin/suid-link"
        printf 'x\n' >"$r/etc/xattr-file" && setfattr -n user.corral -v yes "$r/etc/xattr-file"
        mkdir -p "$r/opt/data" && echo old1 >"$r/opt/data/old1" && echo old2 >"$r/opt/data/old2"
        # Layer 3 needs opt/ without listing it: it must keep these.
        chown 65534:65534 "$r/opt" && chmod 0751 "$r/opt"
        ln -s ../opt/data/old1 "$r/etc/old-link"
        umoci repack --refresh-bundle --image "$oci:t" "$work/b" >/dev/null
        rm -f "$r/etc/group"
        echo "welcome" >"$r/etc/motd"
        umoci repack --refresh-bundle --image "$oci:t" "$work/b" >/dev/null
        python3 - "$work/opq.tar" <<'PY'
import io, sys, tarfile, time
with tarfile.open(sys.argv[1], "w", format=tarfile.PAX_FORMAT) as t:
    def add(name, data=None, mode=0o644, kind=tarfile.REGTYPE):
        i = tarfile.TarInfo(name); i.mtime = int(time.time()); i.mode = mode; i.type = kind
        if data is None:
            t.addfile(i)
        else:
            i.size = len(data); t.addfile(i, io.BytesIO(data))
    add("opt/data/new", b"new\n")
    add("opt/data/.wh..wh..opq", b"")
    add("opt/data", mode=0o755, kind=tarfile.DIRTYPE)
PY
        umoci raw add-layer --image "$oci:t" "$work/opq.tar" >/dev/null
        umoci config --image "$oci:t" --config.entrypoint /bin/sh --config.cmd -c --config.cmd 'echo hi' \
                --config.env FROM_IMAGE=1 --config.workingdir /opt --config.user 0:0 >/dev/null
        umoci gc --layout "$oci" >/dev/null
        rm -rf "$work"
}

tree_listing() {
        python3 - "$1" <<'PY'
import hashlib, os, stat, sys
root = sys.argv[1]
for d, dirs, files in os.walk(root):
    dirs.sort()
    for n in sorted(dirs + files):
        p = os.path.join(d, n)
        st = os.lstat(p)
        rel = os.path.relpath(p, root)
        if stat.S_ISLNK(st.st_mode):
            extra = "-> " + os.readlink(p)
        elif stat.S_ISREG(st.st_mode):
            extra = hashlib.sha256(open(p, "rb").read()).hexdigest()
        elif stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode):
            extra = "%d,%d" % (os.major(st.st_rdev), os.minor(st.st_rdev))
        else:
            extra = ""
        # Times of files and links (directories change as layers merge),
        # link counts of regular files (hard links).
        times = "" if stat.S_ISDIR(st.st_mode) else "t=%d" % st.st_mtime
        links = "n=%d" % st.st_nlink if stat.S_ISREG(st.st_mode) else ""
        print(rel, stat.S_IFMT(st.st_mode) >> 12, oct(stat.S_IMODE(st.st_mode)), st.st_uid, st.st_gid, times, links, extra)
PY
}

# make_oci_from_tars DIR TAR...: an OCI layout in DIR, tag "t", whose layers
# are the given uncompressed tars (bottom first), gzip-compressed, with a
# correct config and diff_ids (FIXTURE_BAD_DIFF_ID=x: wrong ones). For
# crafted layers and many-layer images.
make_oci_from_tars() {
        python3 - "$@" <<'PY'
import gzip, hashlib, json, os, sys
out, tars = sys.argv[1], sys.argv[2:]
blobs = os.path.join(out, "blobs", "sha256")
os.makedirs(blobs, exist_ok=True)
def put(data):
    h = hashlib.sha256(data).hexdigest()
    with open(os.path.join(blobs, h), "wb") as f:
        f.write(data)
    return "sha256:" + h, len(data)
layers, diff_ids = [], []
for t in tars:
    raw = open(t, "rb").read()
    diff_ids.append("sha256:" + hashlib.sha256(raw + os.environ.get("FIXTURE_BAD_DIFF_ID", "").encode()).hexdigest())
    d, n = put(gzip.compress(raw, compresslevel=1, mtime=0))
    layers.append({"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": d, "size": n})
config = {"architecture": "amd64", "os": "linux", "config": {"Cmd": ["/bin/sh"]},
          "rootfs": {"type": "layers", "diff_ids": diff_ids}}
cd, cn = put(json.dumps(config).encode())
manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cd, "size": cn},
            "layers": layers}
md, mn = put(json.dumps(manifest).encode())
json.dump({"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json",
           "digest": md, "size": mn, "annotations": {"org.opencontainers.image.ref.name": "t"}}]},
          open(os.path.join(out, "index.json"), "w"))
json.dump({"imageLayoutVersion": "1.0.0"}, open(os.path.join(out, "oci-layout"), "w"))
PY
}

# make_docker_oci_archive OCI_DIR OUT.tar TAG: the newer `docker save` form
# (Docker >= 25) of OCI_DIR's image "t": manifest.json naming blobs by
# digest, uncompressed layer blobs (named by diff_id), the config blob, and
# an OCI index.json + oci-layout next to them.
make_docker_oci_archive() {
        python3 - "$@" <<'PY'
import gzip, hashlib, io, json, os, sys, tarfile
src, out, tag = sys.argv[1:4]
blob = lambda d: open(os.path.join(src, "blobs", "sha256", d.split(":")[1]), "rb").read()
index = json.load(open(os.path.join(src, "index.json")))
mdesc = [m for m in index["manifests"] if m["annotations"]["org.opencontainers.image.ref.name"] == "t"][0]
manifest = json.loads(blob(mdesc["digest"]))
files = {}
layers = []
for l in manifest["layers"]:
    raw = blob(l["digest"])
    if l["mediaType"].endswith("gzip"):
        raw = gzip.decompress(raw)
    h = hashlib.sha256(raw).hexdigest()
    files["blobs/sha256/" + h] = raw
    layers.append({"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": "sha256:" + h, "size": len(raw)})
cfg = blob(manifest["config"]["digest"])
files["blobs/sha256/" + manifest["config"]["digest"].split(":")[1]] = cfg
new_manifest = dict(manifest, layers=layers)
mraw = json.dumps(new_manifest).encode()
mh = hashlib.sha256(mraw).hexdigest()
files["blobs/sha256/" + mh] = mraw
files["index.json"] = json.dumps({"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json",
    "digest": "sha256:" + mh, "size": len(mraw), "annotations": {"io.containerd.image.name": tag,
    "org.opencontainers.image.ref.name": tag.rsplit(":", 1)[1]}}]}).encode()
files["oci-layout"] = b'{"imageLayoutVersion":"1.0.0"}'
files["manifest.json"] = json.dumps([{"Config": "blobs/sha256/" + manifest["config"]["digest"].split(":")[1],
    "RepoTags": [tag], "Layers": ["blobs/sha256/" + l["digest"].split(":")[1] for l in layers]}]).encode()
with tarfile.open(out, "w") as t:
    for d in ("blobs", "blobs/sha256"):
        i = tarfile.TarInfo(d); i.type = tarfile.DIRTYPE; i.mode = 0o755; t.addfile(i)
    for name, data in files.items():
        i = tarfile.TarInfo(name); i.size = len(data); i.mode = 0o644
        t.addfile(i, io.BytesIO(data))
PY
}
