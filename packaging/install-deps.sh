#!/usr/bin/env bash
# Install the Debian 12 packages needed to build, test and run Cairn.
#
# Idempotent and quiet: prints nothing and exits 0 when every package is already
# installed; otherwise prints one line naming the packages it installs.
#
# Usage: packaging/install-deps.sh [--with-python-tests] [--dry-run] [--verbose]
set -euo pipefail

# --- Package groups: extend these arrays, one package per line. -------------

# Toolchain and libraries needed to configure and build.
BUILD_PACKAGES=(
    build-essential
    cmake
    ninja-build
    pkg-config
    git
    qt6-base-dev
    qt6-base-dev-tools
    qt6-svg-dev          # Debian 12 name; "libqt6svg6-dev" is only a virtual package it provides
    libqcustomplot-dev
    libgit2-dev
    libyaml-cpp-dev
    libsqlite3-dev
    libxxhash-dev
    nlohmann-json3-dev
    libfast-float-dev
    libonnx-dev          # ONNX model diff: the generated protobuf classes (onnx_proto)
    libprotobuf-dev      # ... and the protobuf runtime they need
)

# Needed to run the tests, the GUI demo under a virtual display, and the
# packaging validators.
TEST_PACKAGES=(
    python3
    python3-yaml         # PyYAML: the MLproject default-value tests compare with it
    qt6-qpa-plugins
    xvfb
    xauth
    fonts-dejavu-core
    desktop-file-utils
    appstream
    libonnx-testdata     # real ONNX models for tst_onnxdiff (/usr/share/libonnx-testdata)
)

# Only with --with-python-tests: reference implementations for the drift oracle tests.
PYTHON_TEST_PACKAGES=(
    python3-numpy
    python3-scipy
    python3-pandas
)

# ------------------------------------------------------------------------------

usage() {
    cat <<'EOF'
Usage: install-deps.sh [OPTIONS]

Install with apt-get the Debian 12 packages needed to build, test and run Cairn.
Prints nothing when everything is already installed.

Options:
  --with-python-tests  also install python3-numpy, python3-scipy, python3-pandas
  --dry-run            print the missing packages and exit without installing
  --verbose            show apt-get's own output while installing
  -h, --help           show this help
EOF
}

die() {
    printf 'install-deps.sh: error: %s\n' "$*" >&2
    exit 1
}

with_python_tests=0
dry_run=0
verbose=0
for arg in "$@"; do
    case "$arg" in
        --with-python-tests) with_python_tests=1 ;;
        --dry-run) dry_run=1 ;;
        --verbose) verbose=1 ;;
        -h | --help) usage; exit 0 ;;
        *) usage >&2; die "unknown option '$arg'" ;;
    esac
done

if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
    die "dpkg-query and apt-get not found; this script supports Debian 12 (bookworm) only."
fi

wanted=("${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}")
if ((with_python_tests)); then
    wanted+=("${PYTHON_TEST_PACKAGES[@]}")
fi

# A package counts as installed when dpkg reports the status "installed" for it
# (any architecture; "hold ok installed" counts too).
is_installed() {
    local status
    status=$(dpkg-query -W -f='${Status}\n' "$1" 2>/dev/null) || return 1
    grep -qE '[[:space:]]installed$' <<<"$status"
}

missing=()
for pkg in "${wanted[@]}"; do
    is_installed "$pkg" || missing+=("$pkg")
done

if ((${#missing[@]} == 0)); then
    exit 0
fi

if ((dry_run)); then
    echo "install-deps.sh: would install: ${missing[*]}"
    exit 0
fi

if ((EUID == 0)); then
    as_root=()
elif command -v sudo >/dev/null 2>&1; then
    as_root=(sudo)
else
    die "missing packages (${missing[*]}) and not running as root, and sudo is not available;" \
        "re-run this script as root (e.g. 'su -c $0') or install sudo."
fi

echo "install-deps.sh: installing ${missing[*]}"

# "env" carries DEBIAN_FRONTEND through sudo's environment reset.
apt=("${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get)

if ((verbose)); then
    "${apt[@]}" update
    "${apt[@]}" install -y --no-install-recommends "${missing[@]}"
else
    log=$(mktemp "${TMPDIR:-/tmp}/cairn-install-deps.XXXXXX")
    trap 'rm -f "$log"' EXIT
    if ! { "${apt[@]}" -q update && "${apt[@]}" -q install -y --no-install-recommends "${missing[@]}"; } \
        >"$log" 2>&1; then
        cat "$log" >&2
        die "apt-get failed (output above)."
    fi
fi
