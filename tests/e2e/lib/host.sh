# Host-side steps of the end-to-end harness (sourced by tests/e2e/run.sh).
# Each step is idempotent and caches what it downloads or builds under $CACHE.
# Globals set by run.sh: REPO E2E CACHE RUN SHARE MODE; set here: KVER KROOT KIMG HDR ROOTFS KO.

# --- logging -------------------------------------------------------------------------------
T0=${T0:-$(date +%s)}
say() { printf 'e2e [%4ss] %s\n' "$(($(date +%s) - T0))" "$*"; }
die() { say "ERROR: $*" >&2; exit 1; }
# step NAME CMD...: run one step, log its duration into $RUN/timings.
step() {
    local name=$1 s e
    shift
    s=$(date +%s.%N)
    say "-- $name"
    "$@" || die "step '$name' failed"
    e=$(date +%s.%N)
    awk -v n="$name" -v s="$s" -v e="$e" 'BEGIN { printf "%-16s %6.1f s\n", n, e - s }' >> "$RUN/timings"
}
# quietly LOG CMD...: run CMD with its output in LOG; on failure print the tail of LOG.
quietly() {
    local log=$1
    shift
    if ! "$@" > "$log" 2>&1; then
        echo "---- last lines of $log" >&2
        tail -n 40 "$log" >&2
        return 1
    fi
}

# --- host packages -------------------------------------------------------------------------
# What the harness needs on a Debian 12 host, besides the Rust toolchain setup-deps.sh installs.
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
host_deps() {
    local need=() p
    for p in qemu-system-x86 debootstrap busybox-static kmod cpio make gcc-12 libelf1 binutils \
        apt dpkg gzip; do
        installed "$p" || need+=("$p")
    done
    if [ ${#need[@]} -gt 0 ]; then
        say "installing host packages: ${need[*]}"
        quietly "$CACHE/apt-install.log" apt-get update -q || return 1
        DEBIAN_FRONTEND=noninteractive quietly "$CACHE/apt-install.log" \
            apt-get install -y -q --no-install-recommends "${need[@]}" || return 1
        APT_UPDATED=1
    fi
    command -v qemu-system-x86_64 > /dev/null || { echo "qemu-system-x86_64 not found"; return 1; }
}

# --- kernel --------------------------------------------------------------------------------
# KVER: the ABI linux-image-amd64 points at now (e.g. 6.1.0-56-amd64), unless given.
resolve_kver() {
    [ -n "${KVER:-}" ] && return 0
    KVER=$(apt-cache depends linux-image-amd64 2> /dev/null |
        sed -n 's/^ *Depends: linux-image-\([0-9].*-amd64\)$/\1/p' | head -n1)
    if [ -z "$KVER" ] && [ -z "${APT_UPDATED:-}" ]; then
        quietly "$CACHE/apt-update.log" apt-get update -q && APT_UPDATED=1
        KVER=$(apt-cache depends linux-image-amd64 2> /dev/null |
            sed -n 's/^ *Depends: linux-image-\([0-9].*-amd64\)$/\1/p' | head -n1)
    fi
    if [ -z "$KVER" ]; then
        # Offline: the newest kernel already in the cache.
        KVER=$(ls -1 "$CACHE/kernel" 2> /dev/null | sort -V | tail -n1)
    fi
    [ -n "$KVER" ] || { echo "cannot resolve the Debian kernel version (apt-cache)"; return 1; }
}
set_kernel_paths() {
    KROOT=$CACHE/kernel/$KVER
    KIMG=$KROOT/image/boot/vmlinuz-$KVER
    HDR=$KROOT/headers/usr/src/linux-headers-$KVER
}
# Download linux-image-$KVER, its headers and the linux-kbuild of the SAME package version
# (bookworm also carries older kbuilds), extract them, make the headers usable in place.
fetch_kernel() {
    set_kernel_paths
    [ -e "$KROOT/.complete" ] && return 0
    local ver kb debs=$KROOT/debs _try
    for _try in 1 2; do
        ver=$(apt-cache show "linux-image-$KVER" 2> /dev/null | sed -n 's/^Version: //p' |
            sort -V | tail -n1)
        [ -n "$ver" ] && break
        [ -n "${APT_UPDATED:-}" ] && break
        quietly "$CACHE/apt-update.log" apt-get update -q && APT_UPDATED=1
    done
    [ -n "$ver" ] || { echo "apt knows no linux-image-$KVER"; return 1; }
    kb=linux-kbuild-$(echo "$KVER" | cut -d. -f1-2)
    rm -rf "$KROOT"
    mkdir -p "$debs"
    local pkgs=("linux-image-$KVER=$ver" "linux-headers-$KVER=$ver"
        "linux-headers-${KVER%-amd64}-common=$ver" "$kb=$ver")
    if ! (cd "$debs" && quietly "$CACHE/kernel-download.log" apt-get download \
        -o APT::Sandbox::User=root "${pkgs[@]}"); then
        # Stale package lists name files the mirror no longer has: refresh, try once more.
        [ -z "${APT_UPDATED:-}" ] || return 1
        quietly "$CACHE/apt-update.log" apt-get update -q && APT_UPDATED=1 || return 1
        (cd "$debs" && quietly "$CACHE/kernel-download.log" apt-get download \
            -o APT::Sandbox::User=root "${pkgs[@]}") || return 1
    fi
    dpkg-deb -x "$debs"/linux-image-"$KVER"_*.deb "$KROOT/image" || return 1
    local d
    for d in "$debs"/linux-headers-*.deb "$debs/$kb"_*.deb; do
        dpkg-deb -x "$d" "$KROOT/headers" || return 1
    done
    [ -f "$KIMG" ] && [ -f "$HDR/Makefile" ] || { echo "the packages hold no $KIMG or $HDR"; return 1; }
    # The -amd64 headers' Makefile includes the -common tree by an absolute /usr/src path.
    sed -i "s|^include /usr/src/|include $KROOT/headers/usr/src/|" "$HDR/Makefile" || return 1
    depmod -b "$KROOT/image" "$KVER" || return 1
    rm -rf "$debs"
    echo "$ver" > "$KROOT/.complete"
}

# --- our code ------------------------------------------------------------------------------
# Build vtl.ko from a copy of kernel-module/ (sources only), so that the checkout stays clean.
build_module() {
    local src=$REPO/kernel-module out=$CACHE/module
    [ -f "$src/Makefile" ] || [ -f "$src/Kbuild" ] ||
        { echo "kernel-module/ has no Makefile yet (the module is not written)"; return 1; }
    rm -rf "$out"
    mkdir -p "$out"
    tar -C "$src" --exclude='*.o' --exclude='*.ko' --exclude='.*.cmd' --exclude='*.mod' \
        --exclude='*.mod.c' --exclude=Module.symvers --exclude=modules.order \
        --exclude='.tmp_versions' -cf - . | tar -C "$out" -xf -
    # Once seen on a loaded host: one object built without -mfentry ("mcount" undefined at
    # modpost); a clean rebuild went through. So one retry.
    if ! quietly "$CACHE/module-build.log" make -C "$out" KDIR="$HDR"; then
        say "module build failed; one clean retry"
        make -C "$out" KDIR="$HDR" clean > /dev/null 2>&1
        quietly "$CACHE/module-build.log" make -C "$out" KDIR="$HDR" || return 1
    fi
    KO=$(find "$out" -name vtl.ko | head -n1)
    [ -n "$KO" ] || { echo "the module build made no vtl.ko"; return 1; }
    modinfo -F vermagic "$KO" | grep -q "^$KVER " ||
        { echo "vtl.ko vermagic '$(modinfo -F vermagic "$KO")' is not $KVER"; return 1; }
}

# The programs the guest runs, stripped into the share.
GUEST_BINS="vtltape vtllibrary vtlcmd mktape dump_tape edit_tape preload_tape"
build_bins() {
    local args=() b tdir
    for b in $GUEST_BINS; do args+=(--bin "$b"); done
    (cd "$REPO" && quietly "$CACHE/cargo-build.log" cargo build --release --locked "${args[@]}") ||
        return 1
    tdir=$(cd "$REPO" && cargo metadata --format-version 1 --no-deps 2> /dev/null |
        sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
    [ -d "$tdir/release" ] || { echo "cannot find cargo's target directory"; return 1; }
    mkdir -p "$SHARE/bin"
    for b in $GUEST_BINS; do
        strip -o "$SHARE/bin/$b" "$tdir/release/$b" || return 1
    done
}

# --- guest root filesystem -----------------------------------------------------------------
# Debian 12 minbase plus the clients. Substitutes: amanda-server needs a mail transport agent
# (debootstrap does not resolve bsd-mailx's "default-mta | mail-transport-agent"): dma, the
# smallest; and amtapetype needs Encode::Locale (libencode-locale-perl), which bookworm's
# amanda-common does not depend on. e2fsprogs formats the media disk in the guest; python3
# parses the JSON of vtlcmd status.
ROOTFS_PKGS="kmod,mt-st,sg3-utils,lsscsi,mtx,tar,procps,bacula-sd,amanda-server,dma,\
libencode-locale-perl,stenc,python3,e2fsprogs,util-linux,diffutils"
MIRROR=${MIRROR:-http://deb.debian.org/debian}
build_rootfs() {
    local key
    key=$(echo "bookworm minbase $ROOTFS_PKGS $MIRROR v1" | sha256sum | cut -c1-12)
    ROOTFS=$CACHE/rootfs-$key
    [ -e "$ROOTFS/.complete" ] && return 0
    rm -rf "$ROOTFS" "$ROOTFS.tmp"
    quietly "$CACHE/debootstrap.log" timeout 1800 debootstrap --variant=minbase \
        --include="$ROOTFS_PKGS" bookworm "$ROOTFS.tmp" "$MIRROR" || return 1
    # No daemons of the packages run in the guest; nothing else to configure here (the guest
    # boots read-only from this tree, with a tmpfs overlay on top).
    rm -f "$ROOTFS.tmp"/var/cache/apt/archives/*.deb
    mv "$ROOTFS.tmp" "$ROOTFS" && touch "$ROOTFS/.complete" || return 1
    # Older rootfs versions of this cache.
    find "$CACHE" -maxdepth 1 -name 'rootfs-*' ! -name "rootfs-$key" -exec rm -rf {} +
}

# --- initramfs -----------------------------------------------------------------------------
# Modules the guest needs (their dependencies are added): 9p and overlay for the root, st/sg/
# ch for the clients, virtio_blk and ext4 for the media disk.
GUEST_MODULES="virtio_pci virtio_blk 9pnet_virtio 9p overlay scsi_mod st sg ch ext4
crc32c_generic"
build_initramfs() {
    local ir=$RUN/initramfs mdir ko rel
    rm -rf "$ir"
    mkdir -p "$ir"/{bin,dev,proc,sys,lower,rw,newroot}
    cp /bin/busybox "$ir/bin/busybox" || return 1
    mdir=$ir/lib/modules/$KVER
    mkdir -p "$mdir/extra"
    cp "$KROOT/image/lib/modules/$KVER"/modules.{order,builtin,builtin.modinfo} "$mdir/"
    for ko in $(modprobe -a -d "$KROOT/image" -S "$KVER" --show-depends $GUEST_MODULES |
        awk '$1 == "insmod" { print $2 }' | sort -u); do
        rel=${ko#"$KROOT/image/lib/modules/$KVER/"}
        mkdir -p "$mdir/$(dirname "$rel")"
        cp "$ko" "$mdir/$rel" || return 1
    done
    cp "$KO" "$mdir/extra/vtl.ko" || return 1
    depmod -b "$ir" "$KVER" || return 1
    install -m 0755 "$E2E/guest/init" "$ir/init" || return 1
    (cd "$ir" && find . | cpio -o -H newc --quiet | gzip -1) > "$RUN/initrd.gz" || return 1
}

# --- the share: what the guest reads and where it writes its results -----------------------
prepare_share() {
    mkdir -p "$SHARE"
    rm -rf "$SHARE/guest" "$SHARE/conf" "$SHARE/out" "$SHARE/scratch.sh" "$SHARE/host-info"
    # A developer's own script, run in the guest after the checks and before the clean-up
    # ones (output in out/scratch.log): E2E_SCRATCH=path/to/script.sh.
    [ -z "${E2E_SCRATCH:-}" ] || cp "$E2E_SCRATCH" "$SHARE/scratch.sh"
    cp -r "$E2E/guest" "$SHARE/guest"
    cp -r "$E2E/conf" "$SHARE/conf"
    cp "$E2E/checks.list" "$SHARE/checks.list"
    {
        printf 'qemu=%q\n' "$(qemu-system-x86_64 --version | sed -n 's/^QEMU emulator version //p' | head -n1)"
        printf 'host_cpu=%q\n' "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)"
        printf 'host_cores=%q\n' "$(nproc)"
        printf 'accel=%q\n' "$ACCEL"
    } > "$SHARE/host-info"
    mkdir -p "$SHARE/out"
}

# --- the VM --------------------------------------------------------------------------------
QEMU_PID=
stop_vm() {
    if [ -n "$QEMU_PID" ] && kill -0 "$QEMU_PID" 2> /dev/null; then
        say "stopping the VM (pid $QEMU_PID)"
        kill -TERM "$QEMU_PID" 2> /dev/null
        sleep 2
        kill -KILL "$QEMU_PID" 2> /dev/null
    fi
    QEMU_PID=
}
# run_vm: boot, run the guest's $MODE, wait (at most $VM_TIMEOUT s). The console goes to
# $RUN/console.log, capped at $CONSOLE_CAP bytes (the rest is read and dropped).
run_vm() {
    local disk=$RUN/media.img append rc=0
    rm -f "$disk"
    truncate -s "${DISK_GB}G" "$disk"
    append="console=ttyS0 panic=-1 loglevel=4 e2e_mode=$MODE e2e_timeout=$GUEST_TIMEOUT"
    append="$append e2e_only=${ONLY:-all}"
    local started
    started=$(date +%s)
    # The console pipe: cap what is kept, keep draining so that qemu never blocks.
    timeout --kill-after=10 "$VM_TIMEOUT" qemu-system-x86_64 \
        -machine "${MACHINE:-pc}" -accel "$ACCEL" -cpu "$CPU" -m "$MEM" -smp "$SMP" \
        -nographic -nic none -no-reboot -kernel "$KIMG" -initrd "$RUN/initrd.gz" \
        -append "$append" \
        -virtfs "local,path=$ROOTFS,mount_tag=rootfs,security_model=passthrough,readonly=on,id=rootfs" \
        -virtfs "local,path=$SHARE,mount_tag=share,security_model=none,id=share" \
        -drive "file=$disk,if=virtio,format=raw,cache=writeback,discard=unmap" \
        < /dev/null 2>&1 > >(
            head -c "$CONSOLE_CAP" > "$RUN/console.log"
            cat > /dev/null
        ) &
    QEMU_PID=$!
    wait "$QEMU_PID" || rc=$?
    QEMU_PID=
    sleep 0.2 # let the console reader finish
    rm -f "$disk"
    local took=$(($(date +%s) - started))
    if [ "$rc" = 124 ] || { [ "$rc" = 137 ] && [ "$took" -ge "$VM_TIMEOUT" ]; }; then
        say "the VM ran out of time (${VM_TIMEOUT} s) and was killed"
    elif [ "$rc" -gt 128 ]; then
        say "qemu was killed by signal $((rc - 128)) after $took s (not by its time limit)"
    fi
    grep -q 'reboot: Power down' "$RUN/console.log" ||
        say "the VM did not power off cleanly (qemu exit status $rc)"
    return 0
}
