#!/bin/bash
# corral-run -D DIR: what a process inside sees, checked from inside:
# namespaces (PID 1, host name, own network with --private-network), the
# mount table nspawn would build (/proc parts read-only or masked, /sys
# read-only, /dev with only the standard nodes, devpts, tmpfs /run and
# /tmp), the init layer files and environment, the capability bounding
# set with --capability/--drop-capability, no_new_privs, the default
# seccomp refusals and --system-call-filter, bind mounts, no host fd.
. "$(dirname "$0")/lib.sh"
require_root

make_rootfs "$T/root"
mkdir -p "$T/share" "$T/ro"
echo host-data >"$T/ro/file"

run() {
        timeout 60 "$CORRAL_RUN" -q --console=pipe -D "$T/root" "$@" 2>>"$T/stderr"
}

# Namespaces and identity.
out=$(run -M iso-$$ --hostname inner sh -c 'echo $$; hostname; cat /etc/hostname; grep -c inner /etc/hosts')
is "$out" "$(printf '2\ninner\ninner\n1')" "payload is PID 2, host name and /etc/hostname, /etc/hosts name it"
is "$(run -M iso-$$ hostname)" "iso-$$" "host name defaults to the machine name"
is "$(run sh -c 'cat /proc/1/comm')" "corral-init" "PID 1 is the supervisor (named corral-init), not a program of the image"
ino_host=$(stat -L -c %i /proc/self/ns/pid)
ino_in=$(run sh -c 'stat -L -c %i /proc/self/ns/pid')
ok "own PID namespace" test "$ino_host" != "$ino_in"
for ns in mnt uts ipc cgroup; do
        h=$(readlink /proc/self/ns/$ns)
        i=$(run readlink /proc/self/ns/$ns)
        ok "own $ns namespace" test -n "$i" -a "$h" != "$i"
done
is "$(run readlink /proc/self/ns/net)" "$(readlink /proc/self/ns/net)" "host network without --private-network"
links=$(run --private-network sh -c 'ls /sys/class/net')
is "$links" "lo" "--private-network: only lo"
like "$(run --private-network ip link show lo)" "UP" "--private-network: lo is up"

# Init layer and environment.
like "$(run cat /etc/machine-id)" "^[0-9a-f]{32}$" "/etc/machine-id made when the image has none"
is "$(run cat /etc/resolv.conf | md5sum)" "$(md5sum </etc/resolv.conf)" "/etc/resolv.conf is the host's"
is "$(run sh -c 'echo $container')" "corral" "container=corral in the environment"
like "$(run sh -c 'echo $container_uuid')" "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$" "container_uuid is a UUID"
ok "image directory untouched by the init layer" test ! -e "$T/root/etc/hostname" -a ! -e "$T/root/etc/machine-id"

# /dev.
is "$(run ls /dev | tr '\n' ' ')" "console core fd full mqueue null ptmx pts random shm stderr stdin stdout tty urandom zero " "/dev has only the standard nodes"
is "$(run sh -c 'stat -c %t:%T /dev/null /dev/zero /dev/full /dev/random /dev/urandom /dev/tty' | tr '\n' ' ')" "1:3 1:5 1:7 1:8 1:9 5:0 " "device numbers"
mi=$(run cat /proc/self/mountinfo)
like "$mi" " /dev/pts [^ ]* - devpts devpts [^ ]*ptmxmode=666" "a private devpts instance"
like "$mi" " /dev/shm [^ ]* - tmpfs " "/dev/shm is a tmpfs"
like "$mi" " /run [^ ]* - tmpfs " "/run is a tmpfs"
like "$mi" " /tmp [^ ]* - tmpfs " "/tmp is a tmpfs"
like "$mi" " /sys ro,[^ ]* - sysfs " "/sys is read-only"
like "$mi" " /proc/sys ro,[^ ]* - proc " "/proc/sys is read-only"
ok "writing /sys fails" run sh -c '! echo 1 > /sys/kernel/uevent_helper 2>/dev/null'
ok "writing /proc/sys fails" run sh -c '! echo 1 > /proc/sys/kernel/domainname 2>/dev/null'
is "$(run sh -c 'wc -c < /proc/keys; wc -c < /proc/timer_list')" "$(printf '0\n0')" "/proc/keys and /proc/timer_list are masked"
ok "host root not reachable: no old root in the mount table" run sh -c '! grep -q " /oldroot\| /.old" /proc/self/mountinfo'
is "$(run sh -c 'readlink /proc/1/cwd; pwd')" "$(printf '/\n/')" "cwd of PID 1 and the payload inside the new root"

# Capabilities and no_new_privs.
is "$(run sh -c 'grep CapBnd /proc/self/status' | awk '{print $2}')" "00000000$(printf '%08x' $(( 0xfcecafff & 0x$(awk '/CapBnd/ {print substr($2, 9)}' /proc/self/status) )))" "CapBnd is nspawn's default set"
bnd=$(run --drop-capability=CAP_SYS_ADMIN --capability=CAP_SYS_TIME sh -c 'grep CapBnd /proc/self/status' | awk '{print $2}')
ok "--drop-capability removes CAP_SYS_ADMIN" test $(( 0x$bnd & (1 << 21) )) -eq 0
ok "--capability adds CAP_SYS_TIME" test $(( 0x$bnd & (1 << 25) )) -ne 0
is "$(run grep NoNewPrivs /proc/self/status | awk '{print $2}')" "0" "no_new_privs off by default"
is "$(run --no-new-privileges=yes grep NoNewPrivs /proc/self/status | awk '{print $2}')" "1" "--no-new-privileges"

# seccomp.
is "$(run grep Seccomp: /proc/self/status | awk '{print $2}')" "2" "a seccomp filter is loaded"
like "$(run sh -c 'mknod /tmp/sda b 8 0 2>&1; echo rc=$?')" "Operation not permitted.*rc=1" "mknod of a block device refused"
like "$(run sh -c 'mknod /tmp/fifo p && echo fifo-ok')" "fifo-ok" "mknod of a fifo allowed"
like "$(run sh -c 'swapoff -a 2>&1; echo rc=$?')" "Operation not permitted|rc=1" "swapoff refused"
like "$(run sh -c 'mkdir /tmp/m && mount -t tmpfs none /tmp/m 2>&1 && echo mounted')" "mounted" "mount allowed by default (CAP_SYS_ADMIN kept)"
like "$(run --system-call-filter='~@mount' sh -c 'mkdir /tmp/m; mount -t tmpfs none /tmp/m 2>/dev/null; echo rc=$?')" "rc=[1-9]" "--system-call-filter=~@mount refuses mount"

# Binds.
out=$(run --bind "$T/share:/share" --bind-ro "$T/ro:/data" sh -c 'echo in > /share/f; cat /data/file; echo x > /data/file 2>/dev/null || echo ro-refused')
is "$out" "$(printf 'host-data\nro-refused')" "--bind-ro is read-only inside"
is "$(cat "$T/share/f")" "in" "--bind writes reach the host directory"

# fds: nothing of the host's.
fds=$(run sh -c 'ls /proc/self/fd | sort -n | tr "\n" " "')
is "$fds" "0 1 2 3 " "payload has only stdio (3 is ls's own directory fd)"
pid1fds=$(run sh -c 'for f in /proc/1/fd/*; do n=${f##*/}; [ $n -gt 2 ] && readlink $f; done | grep -v "^anon_inode:" | wc -l')
is "$pid1fds" "0" "PID 1 holds no host file beyond stdio"

if [ -s "$T/stderr" ]; then diag "$(cat "$T/stderr")"; fi
done_testing
