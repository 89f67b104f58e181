#!/usr/bin/env bash
# The workshop's cluster on one machine: N private Docker engines (node1 … nodeN), each a dockerd
# in a network and UTS namespace of its own, joined by one bridge on a private /24; a registry
# every node pulls from; BrkCoin's images built once with the SDK and pushed there; a swarm whose
# first three nodes are managers (a quorum survives the loss of any one).
#
#   eng/cluster.sh start [N]   N = 3 by default, 1 to 5 (the self-paced workshop's five)
#   eng/cluster.sh status      exit 0 when every node's engine answers; prints the swarm's nodes
#   eng/cluster.sh env         the exports that point docker (and aspire deploy) at node1, a manager
#   eng/cluster.sh stop        remove every process, namespace, interface, mount and rule it made
#   eng/cluster.sh kill K      power cut on node K: SIGKILL its dockerd and containers (a lesson)
#   eng/cluster.sh revive K    start node K's dockerd again on its saved state
#
# Built on eng/engine.sh, whose loopback registry holds the Debian base images: a second registry
# serves the same storage inside the cluster's network, in a namespace of its own. Root alone
# reaches it: on this machine an owner rule refuses every other user's connection, on each node
# the containers' traffic to it is dropped (only the node's dockerd, root, pulls), and inside its
# namespace only the cluster's own /24 is let in. Needs root, the .NET SDK and Debian's
# docker.io, docker-registry, debootstrap, iproute2 and iptables.
# -E: the failure trap of `start` also fires inside its functions.
set -Eeuo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
engine="$repo_root/eng/engine.sh"
engine_home=${BRKCOIN_ENGINE_HOME:-/var/tmp/brkcoin-engine}
# Under /run, root's own: nothing here survives a reboot, as nothing here should.
home=${BRKCOIN_CLUSTER_HOME:-/run/brkcoin-cluster}
# A private /24 of our own; the one `start` took is kept, so later commands (under a sudo that
# dropped the variable) use the same.
net=$(cat "$home/net" 2>/dev/null || echo "${BRKCOIN_CLUSTER_NET:-10.213.77}")
bridge=brkcoin0
gateway="$net.1"
registry_ip="$net.2"
registry_port=5000
registry="$registry_ip:$registry_port"
registry_ns=/var/run/netns/brkcoin-registry
rule_comment="brkcoin-cluster"

log() { echo "cluster: $*" >&2; }
die() { log "$*"; exit 1; }

# Every command works on root's namespaces, rules and folders; the helpers come after the check,
# as a checkout may lie where only root can read.
[[ $(id -u) == 0 ]] || die "needs root (network namespaces, a bridge, dockerd)"
# shellcheck source=eng/engine-processes.sh
source "$repo_root/eng/engine-processes.sh"
# shellcheck source=eng/root-only-registry.sh
source "$repo_root/eng/root-only-registry.sh"
# A wrong argument is refused before anything is looked at or made, as a usage error.
refuse_argument() { log "$*"; exit 2; }

# K of kill and revive: a node of the cluster that is up, by its number and nothing else (it
# names a folder and a namespace).
node_argument() { # K
  local count; count=$(nodes)
  [[ $1 =~ ^[1-9][0-9]{0,2}$ ]] || refuse_argument "K must be a node number, not '$1'"
  ((count > 0)) || refuse_argument "no cluster is up (eng/cluster.sh start first)"
  (($1 <= count)) || refuse_argument "K must be a node number, 1 to $count; not '$1'"
}

node_ip() { echo "$net.$((10 + $1))"; }
node_ns() { echo "brkcoin-node$1"; }
node_sock() { echo "$home/node$1/docker.sock"; }
node_docker() { local n=$1; shift; DOCKER_HOST="unix://$(node_sock "$n")" docker "$@"; }
nodes() { cat "$home/nodes" 2>/dev/null || echo 0; }

running() { [[ -f "$1" ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

wait_for() { # pidfile, seconds, what, command...
  local pidfile=$1 deadline=$((SECONDS + $2)) what=$3; shift 3
  until "$@" >/dev/null 2>&1; do
    running "$pidfile" || { log "$what exited at start; see its log under $home"; return 1; }
    ((SECONDS < deadline)) || { log "$what did not come up within $2 s; see its log under $home"; return 1; }
    sleep 0.5
  done
}

preflight() {
  local missing=()
  for tool in dockerd docker docker-registry debootstrap ip nsenter unshare iptables hostname; do
    command -v "$tool" >/dev/null || [[ -x /usr/sbin/$tool ]] || missing+=("$tool")
  done
  ((${#missing[@]} == 0)) || die "missing ${missing[*]} (apt-get install docker.io docker-registry debootstrap iproute2 iptables)"
  # The images are built with the SDK; sudo's secure_path usually drops it.
  command -v dotnet >/dev/null || die "missing dotnet, the .NET SDK (under sudo: sudo env PATH=\"\$PATH\" eng/cluster.sh start)"
  [[ ! -L "$home" ]] || die "refusing $home: it is a symbolic link"
  [[ ! -e "$home/nodes" ]] || die "a cluster is already up (or was not stopped): eng/cluster.sh stop first"
  # The address range must be ours alone: an interface or route already in it means someone else's.
  if ip -4 -o addr show | grep -q " inet $net\." || ip -4 route show | grep -q "^$net\."; then
    die "the address range $net.0/24 is taken on this machine; choose another with BRKCOIN_CLUSTER_NET=10.x.y"
  fi
  ip link show "$bridge" >/dev/null 2>&1 && die "an interface named $bridge exists already; eng/cluster.sh stop, or remove it"
  return 0
}

# A namespace joined to the bridge at the given address.
add_host() { # namespace, address
  local ns=$1 address=$2 veth="bk${1#brkcoin-}"
  ip netns add "$ns"
  ip link add "$veth" type veth peer name eth0 netns "$ns"
  ip link set "$veth" master "$bridge" up
  ip -n "$ns" addr add "$address/24" dev eth0
  ip -n "$ns" link set lo up
  ip -n "$ns" link set eth0 up
  ip -n "$ns" route add default via "$gateway"
}

start_network() {
  ip link add "$bridge" type bridge
  ip addr add "$gateway/24" dev "$bridge"
  ip link set "$bridge" up
  # The host's FORWARD policy is DROP with bridge netfilter on: without this rule the nodes'
  # own traffic over the bridge is dropped, and `docker swarm join` times out.
  add_rule filter FORWARD -i "$bridge" -o "$bridge" -m comment --comment "$rule_comment" -j ACCEPT
}

start_registry() {
  add_host brkcoin-registry "$registry_ip"
  # Only the cluster's /24 (this machine, the nodes) is let in, however the machine routes;
  # on this machine, root alone.
  add_rule --netns "$registry_ns" filter INPUT -p tcp --dport "$registry_port" ! -s "$net.0/24" -j DROP
  root_only add "$registry_ip" "$registry_port" "$rule_comment"
  cat >"$home/registry.yml" <<EOF
version: 0.1
storage:
  filesystem:
    rootdirectory: $engine_home/registry
http:
  addr: $registry
EOF
  log "starting the cluster's registry on $registry (engine.sh's storage)"
  setsid nsenter --net="$registry_ns" docker-registry serve "$home/registry.yml" >"$home/registry.log" 2>&1 &
  echo $! >"$home/registry.pid"
  # Ready once the port is the registry's own, not once something answers it.
  wait_for "$home/registry.pid" 30 registry listens_as "$registry_port" "$!" "$registry_ns" \
    || { confirm_listener "the cluster's registry" "$registry_port" "$(cat "$home/registry.pid")" "$registry_ns"; return 1; }
}

launch_node() { # n
  local n=$1 dir="$home/node$1"
  mkdir -p "$dir/data" "$dir/exec"
  # Only the network namespace, and a UTS one for the host name: `ip netns exec` would remount
  # /sys, hiding this machine's cgroup mounts ("Devices cgroup isn't mounted").
  # A session of its own: a test runner or shell that is stopped does not take the node with it.
  # --no-new-privileges: a Swarm service has no security options of its own (Docker 20.10 takes
  # none from a stack file), so each engine gives every container no-new-privileges by default.
  setsid nsenter --net="/var/run/netns/$(node_ns "$n")" unshare --uts sh -c "hostname node$n && exec dockerd \
    --host unix://$(node_sock "$n") --data-root $dir/data --exec-root $dir/exec --pidfile $dir/exec/dockerd.pid \
    --insecure-registry $registry --insecure-registry $(base_registry) --no-new-privileges \
    --default-address-pool base=10.214.0.0/16,size=24" >"$dir/dockerd.log" 2>&1 &
  echo $! >"$dir/dockerd.pid"
  wait_for "$dir/dockerd.pid" 60 "node$n's dockerd" node_docker "$n" info
}

start_node() { # n
  local n=$1
  add_host "$(node_ns "$n")" "$(node_ip "$n")"
  # The node's dockerd (root) pulls from the registry in the node's own namespace, where no one
  # else runs; its containers' traffic arrives on its bridges, and is dropped before docker's own
  # rules see it (docker never touches the raw table), from before the engine starts.
  add_rule --netns "/var/run/netns/$(node_ns "$n")" raw PREROUTING -d "$registry_ip" -p tcp --dport "$registry_port" -j DROP
  log "starting node$n at $(node_ip "$n")"
  launch_node "$n"
}

form_swarm() { # count
  local count=$1
  node_docker 1 swarm init --advertise-addr "$(node_ip 1)" --listen-addr "$(node_ip 1):2377" \
    --default-addr-pool 10.215.0.0/16 >/dev/null
  local manager_token worker_token
  manager_token=$(node_docker 1 swarm join-token -q manager)
  worker_token=$(node_docker 1 swarm join-token -q worker)
  for ((n = 2; n <= count; n++)); do
    local token=$worker_token
    ((n <= 3)) && token=$manager_token
    node_docker "$n" swarm join --token "$token" --advertise-addr "$(node_ip "$n")" \
      --listen-addr "$(node_ip "$n"):2377" "$(node_ip 1):2377" >/dev/null
  done
  log "swarm formed: $(node_docker 1 node ls --format '{{.Hostname}}{{if .ManagerStatus}} ({{.ManagerStatus}}){{end}}' | paste -sd, -)"
}

build_images() {
  # Once, with the SDK, straight into the cluster's registry: exactly the deploy step's build.
  local base native; base=$(base_image); native=$(native_base_image)
  log "building BrkCoin's images into $registry"
  # Both registries speak plain HTTP: the base image's (engine.sh, on loopback) and the cluster's.
  DOTNET_CONTAINER_INSECURE_REGISTRIES="$registry,${base%%/*}" DOCKER_HOST="unix://$(node_sock 1)" \
    run_step dotnet run --project "$repo_root/BrkCoin.AppHost" -- \
    --operation publish --step brkcoin-images --output-path "$home/files" \
    --Deploy:Registry "$registry" --Deploy:BaseImage "$base" --Deploy:NativeBaseImage "$native" >"$home/images.log" 2>&1 \
    || { grep -iE 'error|failed' "$home/images.log" | grep -v ' at ' | head -n 10 >&2; return 1; }
}

base_image() { bash "$engine" env | sed -n 's/^export BRKCOIN_BASE_IMAGE=//p'; }
native_base_image() { bash "$engine" env | sed -n 's/^export BRKCOIN_NATIVE_BASE_IMAGE=//p'; }

# engine.sh's registry, on the host's loopback. The SDK, which pulls the base image itself, takes
# a registry as plain HTTP only where the engine at DOCKER_HOST (node1) lists it as insecure.
base_registry() { local base; base=$(base_image); echo "${base%%/*}"; }

# A long step (the engine's first start, the image build) runs as a child the script waits for:
# bash runs a trap only between commands, and `wait` is one it leaves as soon as a signal comes,
# so Ctrl-C during a build cleans up at once. The abandoning trap stops the step by this PID.
step_pid=
run_step() { # command...
  "$@" &
  step_pid=$!
  wait "$step_pid"
}

# Whatever ends `start` before it is ready (a failure, Ctrl-C, a TERM): nothing is left half made.
abandon_start() { # why, exit status
  trap - ERR INT TERM
  log "start $1; removing what it made"
  [[ -z "$step_pid" ]] || stop_tree "$step_pid" 10
  stop_all
  exit "$2"
}

# Every process this script started, by the PIDs it wrote, with their children; what those
# engines left (containerd and the container shims, by their own PID files under our folders);
# mounts, namespaces, interfaces, the rules; and engine.sh's engine when `start` started it.
stop_all() {
  local pidfile dir leftovers
  for pidfile in "$home"/node*/dockerd.pid "$home/registry.pid"; do
    [[ -f $pidfile ]] || continue
    dir=$(dirname "$pidfile")
    # Known before the engine goes, as a clean stop removes their files.
    leftovers=$(engine_leftovers "$dir/exec")
    running "$pidfile" && stop_tree "$(cat "$pidfile")"
    rm -f "$pidfile"
    # shellcheck disable=SC2086 # a list of PIDs
    [[ -z "$leftovers" ]] || kill -KILL $leftovers 2>/dev/null || true
  done
  # A node killed by `kill K` and not revived left no dockerd to ask, only its files.
  for dir in "$home"/node*/; do
    [[ -d "$dir" ]] || continue
    leftovers=$(engine_leftovers "${dir%/}/exec")
    # shellcheck disable=SC2086
    [[ -z "$leftovers" ]] || kill -KILL $leftovers 2>/dev/null || true
  done
  findmnt -rn -o TARGET | grep -E "^$home/" | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
  for ns in $(ip netns list | awk '{print $1}' | grep -E '^brkcoin-(node[0-9]+|registry)$' || true); do
    ip netns delete "$ns" 2>/dev/null || true
  done
  ip link delete "$bridge" 2>/dev/null || true
  delete_rule filter FORWARD -i "$bridge" -o "$bridge" -m comment --comment "$rule_comment" -j ACCEPT
  root_only delete "$registry_ip" "$registry_port" "$rule_comment"
  [[ -f "$home/started-engine" ]] && bash "$engine" stop
  # Only a folder `start` made (its mark inside), never whatever BRKCOIN_CLUSTER_HOME names.
  if [[ -f "$home/.brkcoin-cluster" && ! -L "$home" ]]; then rm -rf "$home"; fi
}

case "${1:-}" in
  start)
    count=${2-3}
    [[ $count =~ ^[1-5]$ ]] || refuse_argument "N must be 1 to 5, not '$count'"
    preflight
    [[ ! -e "$home" ]] || [[ -f "$home/.brkcoin-cluster" ]] || die "refusing $home: it exists and is not a cluster folder"
    mkdir -p "$home"
    chmod 700 "$home"
    touch "$home/.brkcoin-cluster"
    echo "$net" >"$home/net"
    # Whatever fails or interrupts from here, nothing is left half made.
    trap 'abandon_start failed 1' ERR
    trap 'abandon_start "interrupted (SIGINT)" 130' INT
    trap 'abandon_start "stopped (SIGTERM)" 143' TERM
    # Marked before it starts, so an interrupted start of the engine is stopped too.
    if ! bash "$engine" status >/dev/null 2>&1; then
      touch "$home/started-engine"
      run_step bash "$engine" start
    fi
    echo "$count" >"$home/nodes"
    start_network
    start_registry
    for ((n = 1; n <= count; n++)); do start_node "$n"; done
    form_swarm "$count"
    build_images
    trap - ERR INT TERM
    log "ready: $count nodes; eval \"\$(eng/cluster.sh env)\" points docker at node1"
    ;;
  status)
    count=$(nodes)
    ((count > 0)) || { log "no cluster"; exit 1; }
    for ((n = 1; n <= count; n++)); do node_docker "$n" info >/dev/null 2>&1 || { log "node$n does not answer"; exit 1; }; done
    node_docker 1 node ls
    ;;
  env)
    echo "export DOCKER_HOST=unix://$(node_sock 1)"
    echo "export BRKCOIN_CLUSTER_REGISTRY=$registry"
    echo "export BRKCOIN_BASE_IMAGE=$(base_image)"
    echo "export BRKCOIN_NATIVE_BASE_IMAGE=$(native_base_image)"
    echo "export BRKCOIN_REDIS_IMAGE=$registry/brkcoin/debian-redis:bookworm"
    ;;
  kill)
    node_argument "${2:-}"
    n=$2
    running "$home/node$n/dockerd.pid" || die "node$n's engine does not run"
    # A power cut: no clean stop for the engine or anything it runs. The containers' own processes
    # are found through the engine before it goes; containerd and the shims by their PID files.
    pids=$(node_docker "$n" ps -q 2>/dev/null | xargs -r env DOCKER_HOST="unix://$(node_sock "$n")" docker inspect --format '{{.State.Pid}}' 2>/dev/null || true)
    engine_pid=$(cat "$home/node$n/dockerd.pid")
    shims=$(engine_leftovers "$home/node$n/exec")
    # Everything freezes at once, the engine first, so nothing reports a task's end to the
    # managers: they learn of the loss only as a node gone silent. Then everything dies.
    for pid in $engine_pid $shims $pids; do [[ $pid != 0 ]] && kill -STOP "$pid" 2>/dev/null || true; done
    for pid in $engine_pid $shims $pids; do [[ $pid != 0 ]] && kill -KILL "$pid" 2>/dev/null || true; done
    # Its PIDs are gone: stale files could name someone else's process once PIDs wrap, and
    # dockerd refuses to start over its own.
    rm -f "$home/node$n/dockerd.pid" "$home/node$n/exec/dockerd.pid"
    findmnt -rn -o TARGET | grep -E "^$home/node$n/" | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
    ;;
  revive)
    node_argument "${2:-}"
    n=$2
    running "$home/node$n/dockerd.pid" && die "node$n runs"
    if ! launch_node "$n"; then
      # A power cut can leave the engine's local network store half written, and dockerd 20.10
      # then panics on every start (reservePools: index out of range; engine.sh met it too).
      # That store holds only this node's local networks, which dockerd makes again; the swarm's
      # state and the volumes (the wallet) are elsewhere and are kept.
      grep -q 'reservePools' "$home/node$n/dockerd.log" || exit 1
      log "node$n's network store did not survive the power cut; starting without it"
      mv "$home/node$n/data/network/files/local-kv.db" "$home/node$n/local-kv.db.broken"
      launch_node "$n"
    fi
    ;;
  stop) stop_all ;;
  *) echo "usage: $0 start [N]|status|env|kill K|revive K|stop" >&2; exit 2 ;;
esac
