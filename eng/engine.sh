#!/usr/bin/env bash
# A private Docker Engine for trying BrkCoin's deployment on a machine that cannot pull images:
# dockerd on its own socket and data root (the default socket stays free, so the AppHost's
# engine probe is not fooled), a registry on 127.0.0.1, and base images built from Debian with
# debootstrap from the machine's own apt source. Everything is cached under $BRKCOIN_ENGINE_HOME.
#
#   eng/engine.sh start     start dockerd and the registry (builds the base images once)
#   eng/engine.sh start --fresh   the same on an empty engine: no containers, networks,
#                           volumes or swarm left from an earlier run (what the tests use)
#   eng/engine.sh images    build BrkCoin's four images with the SDK, as README tells users
#                           (rng, hasher and worker as native binaries on the native base)
#   eng/engine.sh status    exit 0 when dockerd and the registry run
#   eng/engine.sh env       print the exports that point docker, docker-compose and the SDK at it
#   eng/engine.sh stop      stop what start started, by PID
#
# The registry has no authentication, and root runs what it pulls from it: an iptables owner
# rule refuses every other user's connection to its port (removed by stop), a port someone else
# holds is refused rather than taken for the registry, and the registry is ready only once the
# process started holds the port.
#
# Needs root and Debian's docker.io, docker-registry and debootstrap packages.
set -euo pipefail

home=${BRKCOIN_ENGINE_HOME:-/var/tmp/brkcoin-engine}
registry_port=${BRKCOIN_REGISTRY_PORT:-5055}
socket="$home/docker.sock"
registry="127.0.0.1:$registry_port"
# Honest names: these are Debian builds, never retagged as Microsoft's or Docker Hub's images.
# The tools image: a Debian minbase with what a self-contained .NET app may need from the OS
# (ICU, OpenSSL, CA certificates, time zones). The tests' helper containers run on it; the
# lean bases below are taken from it file by file.
tools_image="$registry/brkcoin/debian-dotnet-deps:bookworm"
# Each lean base's tag changes with what it holds: a cached image of an older list is never reused.
native_libs="ld-linux-x86-64.so.2 libc.so.6 libm.so.6 libgcc_s.so.1 libssl.so.3 libcrypto.so.3"
native_base_image="$registry/brkcoin/debian-native-deps:bookworm-$(echo "$native_libs" | sha256sum | cut -c1-8)"
# The web UI's base (a self-contained JIT app with invariant globalization): the native base's
# libraries, what the app's launcher and the runtime's libraries link besides (`ldd` on every
# file of the publish folder: the C++ library, and glibc's libdl, libpthread and librt, which
# are small stubs since glibc 2.34 but still named), and bash with its one library, for the
# deployment's health check through /dev/tcp (builtins only).
jit_libs="$native_libs libstdc++.so.6 libdl.so.2 libpthread.so.0 librt.so.1 libtinfo.so.6"
jit_programs="bash"
base_image="$registry/brkcoin/debian-jit-deps:bookworm-$(echo "$jit_libs $jit_programs" | sha256sum | cut -c1-8)"
redis_image="$registry/brkcoin/debian-redis:bookworm"
repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
registry_rule_comment="brkcoin-engine-registry"
# shellcheck source=eng/engine-processes.sh
source "$repo_root/eng/engine-processes.sh"
# shellcheck source=eng/root-only-registry.sh
source "$repo_root/eng/root-only-registry.sh"

export DOCKER_HOST="unix://$socket"

log() { echo "engine: $*" >&2; }

# $home lies in world-writable /var/tmp under a fixed name (CI caches its base images there): a
# user who creates it first would own what root then writes, runs, kills by PID file and clears
# with rm -rf. Use it only as a real folder of whoever runs this script that no one else can
# write to; otherwise stop and say why, and let the owner remove it.
secure_home() {
  # mkdir fails when the name exists (or was just taken): the checks below judge what is there.
  [[ -e "$home" || -L "$home" ]] || mkdir -m 0755 "$home" 2>/dev/null || true
  local refuse="refusing to use $home:"
  if [[ -L "$home" ]]; then
    log "$refuse it is a symbolic link (to $(readlink "$home")); remove it and run again"; exit 1
  fi
  [[ -d "$home" ]] || { log "$refuse it is not a folder; remove it and run again"; exit 1; }
  local owner mode
  owner=$(stat -c %u "$home")
  mode=$(stat -c %a "$home")
  if [[ $owner != "$(id -u)" ]]; then
    log "$refuse it belongs to $(stat -c %U "$home") (uid $owner), not to $(id -un); remove it and run again"; exit 1
  fi
  if (( 8#$mode & 8#022 )); then
    log "$refuse others may write to it (mode $mode); chmod go-w it or remove it, and run again"; exit 1
  fi
}

# Whether the process a PID file names is alive, whatever it is.
alive() {
  local pid
  pid=$(cat "$home/$1.pid" 2>/dev/null) && [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null
}

# A PID file counts only while its process still names this home on its command line: $home
# outlives a reboot, and root must not signal whatever process has since been given that number.
running() {
  alive "$1" && tr '\0' ' ' <"/proc/$(cat "$home/$1.pid")/cmdline" 2>/dev/null | grep -qF -- "$home/"
}

wait_for() { # what (also its pid file's name), seconds, command...
  local what=$1 deadline=$((SECONDS + $2)); shift 2
  until "$@" >/dev/null 2>&1; do
    # A process that died at start will not answer later: say so now, not after the deadline.
    # Only whether it lives: its PID was written this instant, and until the background shell
    # execs the program its command line is still this script's, which running() would refuse.
    alive "$what" || { log "$what exited at start; see $home/$what.log"; return 1; }
    ((SECONDS < deadline)) || { log "$what did not come up; see $home/$what.log"; return 1; }
    sleep 0.5
  done
}

# The first deb URI of the machine's configured apt source (deb822 or one-line form): the only
# mirror this machine may reach, and never written into the repository.
apt_mirror() {
  local uri
  uri=$(grep -hE '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | grep -v security | head -n1 | awk '{print $2}' || true)
  [[ -n "$uri" ]] || uri=$(grep -hE '^deb ' /etc/apt/sources.list 2>/dev/null | grep -v security | head -n1 | awk '{print $2}' || true)
  [[ -n "$uri" ]] || { log "no apt source found"; return 1; }
  echo "$uri"
}

launch_dockerd() {
  mkdir -p "$home/data" "$home/exec"
  log "starting dockerd on $socket"
  # Its own bridge and address pool, so it cannot clash with an engine the user already runs.
  dockerd --host "unix://$socket" --data-root "$home/data" --exec-root "$home/exec" \
    --pidfile "$home/exec/dockerd.pid" --bridge none --default-address-pool base=10.231.0.0/16,size=24 \
    --insecure-registry "$registry" >"$home/dockerd.log" 2>&1 &
  echo $! >"$home/dockerd.pid"
  wait_for dockerd 60 docker info && return
  grep -E '^panic:|^failed to start daemon|level=(fatal|error)' "$home/dockerd.log" | tail -n 5 >&2 || true
  stop_pid dockerd
  return 1
}

# Everything dockerd keeps between runs (containers, networks, volumes, swarm membership, image
# layers) is under data/ and exec/. None of it is needed: the base images are in the registry and
# the rootfs folders, and BrkCoin's images are rebuilt by `images`.
reset_state() {
  log "clearing the engine's state under $home/data and $home/exec"
  # What a hard-killed engine leaves behind: its containerd, container shims and their mounts.
  local leftovers; leftovers=$(engine_leftovers "$home/exec")
  # shellcheck disable=SC2086 # a list of PIDs
  [[ -z "$leftovers" ]] || kill -KILL $leftovers 2>/dev/null || true
  findmnt -rn -o TARGET | grep -E "^$home/(data|exec)/" | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
  # data/ may itself be a mount point, so it is emptied rather than removed.
  if [[ -d "$home/data" ]]; then find "$home/data" -mindepth 1 -maxdepth 1 -exec rm -rf {} +; fi
  rm -rf "$home/exec"
}

start_dockerd() { # [--fresh]
  running dockerd && return
  local fresh=${1:-}
  [[ $fresh == --fresh ]] && reset_state
  launch_dockerd && return
  # Debian's dockerd 20.10 killed while it changes its network store can find that store
  # unreadable at every later start (a panic in libnetwork's reservePools). Start over once.
  [[ $fresh == --fresh ]] && return 1
  log "dockerd could not start on its saved state; starting it once more on an empty one"
  reset_state
  launch_dockerd
}

start_registry() {
  if running registry; then
    confirm_listener docker-registry "$registry_port" "$(cat "$home/registry.pid")" && return
    return 1
  fi
  mkdir -p "$home/registry"
  cat >"$home/registry.yml" <<EOF
version: 0.1
storage:
  filesystem:
    rootdirectory: $home/registry
http:
  addr: $registry
EOF
  log "starting docker-registry on $registry, for root alone"
  root_only add 127.0.0.1 "$registry_port" "$registry_rule_comment"
  docker-registry serve "$home/registry.yml" >"$home/registry.log" 2>&1 &
  echo $! >"$home/registry.pid"
  # Ready once the port is the registry's own, not once something answers it.
  wait_for registry 30 listens_as "$registry_port" "$!" && return
  confirm_listener docker-registry "$registry_port" "$(cat "$home/registry.pid")" || true
  stop_pid registry
  return 1
}

# debootstrap a minimal Debian with the given extra packages into a folder, once.
rootfs() { # name, packages
  local dir="$home/rootfs-$1"
  if [[ ! -f "$dir/.done" ]]; then
    rm -rf "$dir"
    mkdir -p "$home/debs"
    log "debootstrap $1 (once; cached in $dir)"
    debootstrap --variant=minbase --cache-dir="$home/debs" --include="$2" bookworm "$dir" "$(apt_mirror)" >"$home/debootstrap-$1.log" 2>&1
    # Nothing in the image should point at this machine's mirror or keep apt's download cache.
    rm -rf "$dir/var/cache/apt/archives"/*.deb "$dir/var/lib/apt/lists"/* "$dir/etc/apt/sources.list"
    touch "$dir/.done"
  fi
  echo "$dir"
}

# Import a folder as an image and push it to the loopback registry, unless it is there already.
publish_rootfs() { # dir, image, import changes...
  local dir=$1 image=$2; shift 2
  if docker manifest inspect --insecure "$image" >/dev/null 2>&1; then
    return
  fi
  local changes=()
  for change in "$@"; do changes+=(--change "$change"); done
  log "importing $image"
  tar -C "$dir" --exclude=./.done -c . | docker import "${changes[@]}" - "$image" >/dev/null
  docker push "$image" >/dev/null
}

# A lean base taken file by file from the tools rootfs: the given libraries (resolved into the same
# path as in Debian, under usr/: bookworm has merged /usr) and programs, CA certificates,
# /etc/passwd and group naming the image's user 1654, nsswitch.conf (/etc/hosts before DNS, as on
# Debian), and /tmp. No package manager, no ICU (the services run with invariant globalization).
# The natively compiled services' base holds the C library and loader their binaries link (`ldd`:
# libc, libm, ld-linux), libgcc_s, which glibc loads on demand when a thread is cancelled or exits,
# and OpenSSL, which .NET loads on first use for SHA-256 and for random bytes: about 9 MB where
# the tools rootfs is 170, and no shell.
lean_rootfs() { # tools rootfs, name, libraries, programs
  local deps=$1 dir="$home/rootfs-$2" libs=$3 programs=$4
  if [[ "$(cat "$dir/.done" 2>/dev/null)" != "$libs $programs" ]]; then
    rm -rf "$dir"
    mkdir -p "$dir/etc/ssl/certs" "$dir/home/app" "$dir/tmp"
    chmod 1777 "$dir/tmp"
    local lib found program
    for lib in $libs; do
      found=$(find "$deps/usr/lib" -name "$lib" -not -path '*/usr/lib64/*' | head -n1)
      [[ -n "$found" ]] || { log "the tools rootfs has no $lib: the $2 base would not run"; return 1; }
      mkdir -p "$dir/$(dirname "${found#"$deps/"}")"
      cp -L "$found" "$dir/${found#"$deps/"}" || return 1
    done
    for program in $programs; do
      mkdir -p "$dir/usr/bin"
      [[ -x "$deps/usr/bin/$program" ]] || { log "the tools rootfs has no $program: the $2 base would not run"; return 1; }
      cp -L "$deps/usr/bin/$program" "$dir/usr/bin/" || return 1
    done
    # The loader's path written into every x86-64 binary is /lib64/ld-linux-x86-64.so.2 (`images` builds linux-x64).
    ln -s usr/lib "$dir/lib"
    [[ -z "$programs" ]] || ln -s usr/bin "$dir/bin"
    if [[ -e "$deps/usr/lib64" ]]; then
      mkdir -p "$dir/usr/lib64"
      for lib in "$deps"/usr/lib64/ld-linux*; do cp -L "$lib" "$dir/usr/lib64/"; done
      ln -s usr/lib64 "$dir/lib64"
    fi
    # Run inside $(…), where set -e does not reach: each step that can fail returns on its own.
    cp -L "$deps/etc/ssl/certs/ca-certificates.crt" "$dir/etc/ssl/certs/" || return 1
    printf 'root:x:0:0:root:/root:/usr/sbin/nologin\napp:x:1654:1654:app:/home/app:/usr/sbin/nologin\n' >"$dir/etc/passwd"
    printf 'root:x:0:\napp:x:1654:\n' >"$dir/etc/group"
    printf 'hosts: files dns\n' >"$dir/etc/nsswitch.conf"
    chown 1654:1654 "$dir/home/app"
    echo "$libs $programs" >"$dir/.done"
  fi
  echo "$dir"
}

build_base_images() {
  # What a self-contained .NET app needs from the OS (ICU, OpenSSL, CA certificates, time zones),
  # the libraries Microsoft's runtime-deps image carries.
  local tools
  tools=$(rootfs dotnet-deps libicu72,libssl3,ca-certificates,tzdata)
  publish_rootfs "$tools" "$tools_image" 'ENV APP_UID=1654'

  # Assigned first, so that a lean_rootfs that fails stops the script here (set -e).
  local native jit
  native=$(lean_rootfs "$tools" native "$native_libs" "")
  publish_rootfs "$native" "$native_base_image" 'ENV APP_UID=1654'
  jit=$(lean_rootfs "$tools" jit "$jit_libs" "$jit_programs")
  publish_rootfs "$jit" "$base_image" 'ENV APP_UID=1654'

  # A stand-in for the redis image (Debian's redis-server), run as uid 999 like the official one,
  # with /data owned by it so a fresh named volume is writable.
  local redis
  redis=$(rootfs redis redis-server)
  chown 999:999 "$redis/var/lib/redis" 2>/dev/null || true
  mkdir -p "$redis/data" && chown 999:999 "$redis/data"
  publish_rootfs "$redis" "$redis_image" 'WORKDIR /data' 'EXPOSE 6379' 'CMD ["redis-server"]'
}

build_app_images() {
  # Exactly README's build command; only the base image is replaced (and the app is
  # self-contained, since a Debian base has no .NET runtime); the natively compiled services
  # (rng, hasher, worker) go on the native base.
  local tag=${BRKCOIN_IMAGE_TAG:-latest} project base
  for project in Rng Hasher Worker WebUi; do
    base=$native_base_image
    [[ $project == WebUi ]] && base=$base_image
    log "building brkcoin-${project,,}:$tag"
    dotnet publish "$repo_root/BrkCoin.$project" -t:PublishContainer -c Release -r linux-x64 --self-contained \
      -p:ContainerBaseImage="$base" -p:ContainerImageTag="$tag" -nologo -v:q >"$home/publish-$project.log" 2>&1 \
      || { tail -n 30 "$home/publish-$project.log" >&2; return 1; }
  done
  # Each rebuild leaves the previous images untagged; the cache should not grow run after run.
  docker image prune --force >/dev/null 2>&1 || true
}

# A process started here, by the PID written when it started, with its children (dockerd's
# containerd); what a dockerd that had to be killed leaves (the shims) by their own PID files.
stop_pid() {
  local name=$1 leftovers=
  if running "$name"; then
    [[ $name != dockerd ]] || leftovers=$(engine_leftovers "$home/exec")
    stop_tree "$(cat "$home/$name.pid")" 30
    # shellcheck disable=SC2086 # a list of PIDs
    [[ -z "$leftovers" ]] || kill -KILL $leftovers 2>/dev/null || true
  fi
  rm -f "$home/$name.pid"
}

case "${1:-}" in
  start | images | status | stop) secure_home ;;
esac

case "${1:-}" in
  start)
    # Before anything starts: a port someone else holds is not the registry.
    running registry || refuse_taken_port docker-registry "$registry_port" || exit 1
    start_dockerd "${2:-}"
    start_registry
    build_base_images
    log "ready: DOCKER_HOST=$DOCKER_HOST, registry $registry, base $base_image, redis $redis_image"
    ;;
  images) build_app_images ;;
  status) running dockerd && running registry ;;
  env)
    echo "export DOCKER_HOST=$DOCKER_HOST"
    echo "export BRKCOIN_BASE_IMAGE=$base_image"
    echo "export BRKCOIN_NATIVE_BASE_IMAGE=$native_base_image"
    echo "export BRKCOIN_TOOLS_IMAGE=$tools_image"
    echo "export BRKCOIN_REDIS_IMAGE=$redis_image"
    ;;
  stop)
    # Containers first, so the engine stops cleanly; volumes and images stay cached.
    if running dockerd; then
      ids=$(docker ps -q) && [[ -z "$ids" ]] || docker kill $ids >/dev/null 2>&1 || true
    fi
    stop_pid registry
    root_only delete 127.0.0.1 "$registry_port" "$registry_rule_comment"
    stop_pid dockerd
    ;;
  *) echo "usage: $0 start [--fresh]|images|status|env|stop" >&2; exit 2 ;;
esac
