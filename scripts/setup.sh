#!/usr/bin/env bash
# Prepare a Debian 12 machine for brigade (packages, build, hugepages) and
# run the demo or the test suite. Idempotent; run as root from anywhere.
set -euo pipefail

cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.."

BUILD_DIR="${BUILD_DIR:-build}"
WERROR="${WERROR:-false}"
HUGEPAGES="${HUGEPAGES:-1024}"
DURATION="${DURATION:-5}"
HP_SYS=/sys/kernel/mm/hugepages/hugepages-2048kB

# The net_null / net_ring / mempool_ring PMDs (librte-net-null23,
# librte-net-ring23, librte-mempool-ring23) are hard Depends of libdpdk-dev,
# so --no-install-recommends still installs them.
PACKAGES=(build-essential pkg-config meson ninja-build dpdk dpdk-dev
          libdpdk-dev libnuma-dev libcunit1-dev libpcap-dev python3
          python3-pyelftools)

say() { echo "setup: $*"; }
die() { echo "setup: error: $*" >&2; exit 1; }

usage() {
    cat <<USAGE
usage: scripts/setup.sh demo|test|build|hugepages [--help]

  build      install missing Debian packages, configure and build in \$BUILD_DIR
  hugepages  reserve 2 MiB hugepages and mount hugetlbfs if needed
  demo       build + hugepages, then run brigade on two net_null ports
             (mac forwarding, stats every second) for \$DURATION seconds
  test       build + hugepages, then run the test suite serially

Must run as root. Every step is idempotent and skipped when already done.

environment:
  BUILD_DIR  build directory (default: build)
  WERROR     build with -Dwerror=true|false (default: false)
  HUGEPAGES  minimum number of free 2 MiB hugepages (default: 1024)
  DURATION   demo run time in seconds (default: 5)
USAGE
}

step_packages() {
    local p missing=()
    for p in "${PACKAGES[@]}"; do
        [[ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)" == *" installed" ]] \
            || missing+=("$p")
    done
    if (( ${#missing[@]} == 0 )); then
        say "all ${#PACKAGES[@]} required packages are installed"
        return
    fi
    say "missing packages: ${missing[*]}"
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
}

step_build() {
    [[ -f meson.build ]] || die "no meson.build in $PWD"
    if [[ -f "$BUILD_DIR/meson-private/coredata.dat" ]]; then
        say "reusing $BUILD_DIR (werror=$WERROR)"
        meson configure "$BUILD_DIR" -Dbuildtype=release -Dwerror="$WERROR"
    else
        say "configuring $BUILD_DIR (release, werror=$WERROR)"
        meson setup "$BUILD_DIR" --buildtype=release -Dwerror="$WERROR"
    fi
    ninja -C "$BUILD_DIR"
}

step_hugepages() {
    [[ "$HUGEPAGES" =~ ^[0-9]+$ ]] || die "HUGEPAGES must be a number, got '$HUGEPAGES'"
    [[ -d "$HP_SYS" ]] || die "kernel has no 2 MiB hugepage support ($HP_SYS missing)"
    local free nr short avail did=0
    free=$(<"$HP_SYS/free_hugepages")
    if (( free < HUGEPAGES )); then
        short=$(( HUGEPAGES - free ))
        nr=$(<"$HP_SYS/nr_hugepages")
        say "only $free of $HUGEPAGES 2 MiB hugepages free; reserving $short more"
        avail=$(awk '/^MemAvailable:/ { print $2 }' /proc/meminfo)
        (( short * 2048 < avail )) || die "not enough memory for $short more 2 MiB" \
            "hugepages (${avail} kB available); lower HUGEPAGES"
        echo $(( nr + short )) > "$HP_SYS/nr_hugepages" 2>/dev/null || true
        free=$(<"$HP_SYS/free_hugepages")
        (( free >= HUGEPAGES )) || die "only $free of $HUGEPAGES 2 MiB hugepages free" \
            "(memory too fragmented or too small?); free some memory, lower HUGEPAGES," \
            "or reserve them at boot with hugepages=$HUGEPAGES on the kernel command line"
        did=1
    fi
    local mnt
    mnt=$(awk '$3 == "hugetlbfs" { print $2; exit }' /proc/mounts)
    if [[ -z "$mnt" ]]; then
        say "no hugetlbfs mounted; mounting one on /dev/hugepages"
        mkdir -p /dev/hugepages
        mount -t hugetlbfs nodev /dev/hugepages \
            || die "could not mount hugetlbfs on /dev/hugepages (in a container? mount it on the host)"
        mnt=/dev/hugepages
        did=1
    fi
    if (( did )); then
        say "hugepages ready: $free free 2 MiB pages, hugetlbfs on $mnt"
    else
        say "nothing to do: $free free 2 MiB hugepages (need $HUGEPAGES), hugetlbfs on $mnt"
    fi
}

cmd="${1:-}"
for a in "$@"; do
    [[ "$a" == "--help" || "$a" == "-h" ]] && { usage; exit 0; }
done
case "$cmd" in
    demo|test|build|hugepages) ;;
    "") usage; exit 2 ;;
    *) usage >&2; die "unknown sub-command '$cmd'" ;;
esac
(( $# == 1 )) || die "unexpected arguments: ${*:2}"
(( EUID == 0 )) || die "must be run as root (try: sudo $0 $cmd)"

case "$cmd" in
    build)
        step_packages; step_build ;;
    hugepages)
        step_hugepages ;;
    demo)
        step_packages; step_build; step_hugepages
        bin="$BUILD_DIR/apps/brigade/brigade"
        [[ -x "$bin" ]] || die "$bin was not built"
        say "running brigade demo for ${DURATION}s"
        exec "$bin" -l 0,1 --in-memory --no-pci --vdev net_null0 --vdev net_null1 \
            -- --fwd mac --stats 1 --duration "$DURATION" ;;
    test)
        step_packages; step_build; step_hugepages
        exec meson test -C "$BUILD_DIR" --print-errorlogs --num-processes 1 ;;
esac
