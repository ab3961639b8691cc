# shellcheck shell=bash
# busybox_rootfs DIR: a busybox-static rootfs (busybox and its applet
# links, passwd, group, a world-writable /tmp), the base of the root
# suite's make_rootfs and of the benchmarks' rootfs. Sourced, not run.
busybox_rootfs() {
        local d=$1 a
        mkdir -p "$d"/{bin,sbin,etc,proc,sys,dev,tmp,run,root,usr/bin,usr/sbin,var}
        cp /bin/busybox "$d/bin/busybox"
        for a in $("$d/bin/busybox" --list-full); do
                [ -e "$d/$a" ] || ln -s /bin/busybox "$d/$a"
        done
        printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$d/etc/passwd"
        printf 'root:x:0:\nnogroup:x:65534:\n' >"$d/etc/group"
        chmod 1777 "$d/tmp"
}
