# Sourced by engine.sh and cluster.sh. Their registries have no authentication (a password would
# need TLS) and root pulls from them what it then runs with the wallet's secret mounted: base
# images and BrkCoin's own. So each registry listens only where root alone can connect, on a port
# no one else held first, and is known by the PID that started it, never by who answers the port.
# Needs the caller's log() and engine-processes.sh's process_tree.

# The PIDs listening on a TCP port, in the given network namespace or this one.
port_listeners() { # port [netns file]
  local port=$1 ns=${2:-}
  local ss=(ss -ltnpH "sport = :$port")
  [[ -z "$ns" ]] || ss=(nsenter --net="$ns" "${ss[@]}")
  "${ss[@]}" | grep -o 'pid=[0-9]*' | cut -d= -f2 | sort -u
}

# Before a registry starts: someone else's listener must not be taken for it.
refuse_taken_port() { # what, port [netns file]
  local what=$1 port=$2 ns=${3:-} holders
  holders=$(port_listeners "$port" "$ns")
  [[ -z "$holders" ]] && return 0
  local who pid
  for pid in $holders; do who+=" $pid ($(ps -o user=,comm= -p "$pid" 2>/dev/null | xargs || echo gone))"; done
  log "refusing to start $what: port $port is taken already, by PID$who; stop that, or choose another port"
  return 1
}

# True once the port is held, and only by the process started (or one of its children).
listens_as() { # port, pid [netns file]
  local port=$1 pid=$2 ns=${3:-} holders ours
  holders=$(port_listeners "$port" "$ns")
  [[ -n "$holders" ]] || return 1
  ours=$(process_tree "$pid")
  local holder
  for holder in $holders; do grep -qx "$holder" <<<"$ours" || return 1; done
}

# After a registry was started: it answers only once the port is its own; whoever else holds the
# port is named, and the caller stops what it started.
confirm_listener() { # what, port, pid [netns file]
  local what=$1 port=$2 pid=$3 ns=${4:-}
  listens_as "$port" "$pid" "$ns" && return 0
  local holders; holders=$(port_listeners "$port" "$ns" | paste -sd, -)
  log "refusing $what: port $port is held by PID ${holders:-none}, not by the registry started (PID $pid)"
  return 1
}

# An iptables rule, once however often it is asked for (the namespace's, or this one's).
add_rule() { # [--netns file] table chain rule...
  local ipt=(iptables)
  if [[ $1 == --netns ]]; then ipt=(nsenter --net="$2" iptables); shift 2; fi
  local table=$1 chain=$2; shift 2
  "${ipt[@]}" -t "$table" -C "$chain" "$@" 2>/dev/null || "${ipt[@]}" -t "$table" -I "$chain" 1 "$@"
}

delete_rule() { # table chain rule...
  local table=$1 chain=$2; shift 2
  while iptables -t "$table" -D "$chain" "$@" 2>/dev/null; do :; done
}

# Connections to a registry from this namespace by anyone but root are refused: the owner match
# sees who opened the socket (a user namespace's "root" is still its real user here). Root's
# processes (dockerd pulling, the SDK pushing, the scripts) pass.
root_only() { # add|delete, address, port, comment
  local rule=(-d "$2" -p tcp --dport "$3" -m owner ! --uid-owner 0 -m comment --comment "$4" -j REJECT --reject-with tcp-reset)
  case $1 in
    add) add_rule filter OUTPUT "${rule[@]}" ;;
    delete) delete_rule filter OUTPUT "${rule[@]}" ;;
  esac
}
