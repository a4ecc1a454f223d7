#!/usr/bin/env bash
# Test services for jettison's container tests: a Docker Engine, an OCI registry on 127.0.0.1:5000, and
# stand-in Python base images built from Debian packages (nothing can be pulled from Docker Hub here).
#
#   scripts/test-services.sh [install|start|stop|status]     (default: start, which installs what is missing)
#
# Everything lives under $JETTISON_SERVICES_DIR (default /tmp/jettison-services) and is idempotent: a second
# `start` reuses the running engine, the registry and the base images it already made.
# Needs root (apt, dockerd, mmdebstrap), as on CI and the developers' machines.
set -euo pipefail

DIR=${JETTISON_SERVICES_DIR:-/tmp/jettison-services}
SOCK=$DIR/docker.sock
REGISTRY=127.0.0.1:5000
BASES=$DIR/bases
DOCKER=/usr/bin/docker   # another docker client may sit earlier on PATH
export DOCKER_HOST=unix://$SOCK

log() { printf '[services] %s\n' "$*" >&2; }

install() {
    local need=()
    for bin in /usr/sbin/dockerd:docker.io /usr/bin/skopeo:skopeo /usr/bin/umoci:umoci /usr/sbin/runc:runc \
               /usr/bin/buildah:buildah /usr/bin/docker-registry:docker-registry /usr/bin/mmdebstrap:mmdebstrap \
               /usr/bin/bwrap:bubblewrap /usr/bin/chromium:chromium; do
        [ -x "${bin%%:*}" ] || need+=("${bin##*:}")
    done
    if [ ${#need[@]} -gt 0 ]; then
        log "apt-get install ${need[*]}"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" \
            ca-certificates iptables >/dev/null
    fi
}

docker_up() { $DOCKER version >/dev/null 2>&1; }

start_docker() {
    if docker_up; then return; fi
    mkdir -p "$DIR/dockerd"
    log "starting dockerd at $SOCK"
    setsid /usr/sbin/dockerd --host "unix://$SOCK" --data-root "$DIR/dockerd/root" \
        --exec-root "$DIR/dockerd/exec" --pidfile "$DIR/dockerd/pid" --storage-driver=overlay2 \
        --iptables=false --ip6tables=false --bridge=none >"$DIR/dockerd.log" 2>&1 < /dev/null &
    for _ in $(seq 1 60); do docker_up && return; sleep 0.5; done
    log "dockerd did not come up; last log lines:"; tail -20 "$DIR/dockerd.log" >&2; exit 1
}

registry_up() { curl -fsS "http://$REGISTRY/v2/" >/dev/null 2>&1; }

start_registry() {
    if registry_up; then return; fi
    mkdir -p "$DIR/registry-data"
    cat > "$DIR/registry.yml" <<YML
version: 0.1
storage:
  filesystem:
    rootdirectory: $DIR/registry-data
  delete:
    enabled: true
http:
  addr: $REGISTRY
log:
  level: info
  accesslog:
    disabled: false
YML
    log "starting docker-registry on $REGISTRY"
    setsid docker-registry serve "$DIR/registry.yml" >"$DIR/registry.log" 2>&1 < /dev/null &
    for _ in $(seq 1 40); do registry_up && return; sleep 0.25; done
    log "registry did not come up"; tail -20 "$DIR/registry.log" >&2; exit 1
}

# A rootfs tar from Debian bookworm with Python 3.11; the proxy's CA goes in so pip works inside builds.
make_rootfs() {  # name, extra packages
    local out=$BASES/rootfs-$1.tar
    [ -s "$out" ] && return
    mkdir -p "$BASES"
    log "mmdebstrap $1 stand-in (about a minute)"
    mmdebstrap --quiet --format=tar --variant=minbase --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr \
        --include="python3,python3-pip,python3-venv,ca-certificates,curl${2:+,$2}" \
        --customize-hook='copy-in /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/' \
        --customize-hook='chroot "$1" ln -sf /usr/bin/python3 /usr/local/bin/python' \
        bookworm "$out.tmp" && mv "$out.tmp" "$out"
}

import_base() {  # rootfs name, tag
    if $DOCKER image inspect "$2" >/dev/null 2>&1; then return; fi
    log "docker import $2"
    $DOCKER import \
        --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        --change 'ENV LANG=C.UTF-8' --change 'ENV PYTHON_VERSION=3.11' \
        --change 'CMD ["python3"]' "$BASES/rootfs-$1.tar" "$2" >/dev/null
}

export_base() {  # tag, file stem, oci tag
    local archive=$BASES/$2.tar
    if [ ! -s "$archive" ]; then
        $DOCKER save "$1" -o "$archive.tmp" && mv "$archive.tmp" "$archive"
    fi
    if ! skopeo inspect "oci:$BASES/oci:$3" >/dev/null 2>&1; then
        skopeo copy -q "docker-archive:$archive" "oci:$BASES/oci:$3"
    fi
    skopeo copy -q --dest-tls-verify=false "docker-archive:$archive" "docker://$REGISTRY/library/python:$3"
}

start() {
    install
    mkdir -p "$DIR"
    start_docker
    start_registry
    make_rootfs slim ""
    make_rootfs full "build-essential,libpq-dev,python3-dev"
    import_base slim python:3.11-slim
    import_base slim python:3.8-slim-buster
    import_base full python:3.11
    import_base full python:3.7
    export_base python:3.11-slim python-3.11-slim 3.11-slim
    export_base python:3.11 python-3.11 3.11
    cat > "$DIR/env" <<ENV
export DOCKER_HOST=unix://$SOCK
export JETTISON_REGISTRY=$REGISTRY
export JETTISON_SERVICES_DIR=$DIR
ENV
    log "ready: DOCKER_HOST=unix://$SOCK registry=$REGISTRY bases=$BASES"
}

stop() {
    [ -f "$DIR/dockerd/pid" ] && kill "$(cat "$DIR/dockerd/pid")" 2>/dev/null || true
    pkill -f "docker-registry serve $DIR/registry.yml" 2>/dev/null || true
}

status() {
    docker_up && echo "docker: up ($SOCK)" || echo "docker: down"
    registry_up && echo "registry: up ($REGISTRY)" || echo "registry: down"
    ls -la "$BASES" 2>/dev/null || echo "bases: none"
}

case "${1:-start}" in
    install) install ;;
    start) start ;;
    stop) stop ;;
    status) status ;;
    *) echo "usage: $0 [install|start|stop|status]" >&2; exit 2 ;;
esac
