# Sourced by engine.sh and cluster.sh: the processes they started, found by PID and never by a
# pattern on command lines (which any user can make match, and which a root `pkill -f` would
# then kill): the PID a script wrote when it started a process, the children found through it,
# and the PID files a private dockerd's containerd keeps under the exec root the script gave it.

# A process and everything below it, through the parent PIDs (pgrep -P).
process_tree() { # pid
  local pid=$1 child
  echo "$pid"
  for child in $(pgrep -P "$pid" || true); do process_tree "$child"; done
}

# TERM to a process, which stops its own children (dockerd its containerd); KILL to whatever of
# it and them is left after the grace, children included, known before the TERM, as they are
# orphans (no child of anything) once their parent is gone.
stop_tree() { # pid [grace in seconds]
  local pid=$1 grace=${2:-20} pids i
  pids=$(process_tree "$pid")
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < grace * 2; i++)); do
    # shellcheck disable=SC2086
    kill -0 $pids 2>/dev/null || return 0
    sleep 0.5
  done
  # Children started meanwhile too.
  # shellcheck disable=SC2086
  kill -KILL $pids $(for p in $pids; do pgrep -P "$p"; done) 2>/dev/null || true
}

# What a dockerd started that outlives it when it is killed without a clean stop: its containerd
# (the file containerd.pid) and each container's shim (shim.pid in the container's bundle; a shim
# leaves its parent when it starts, so it is no child of anything of ours). A PID file can
# outlive its process and the number be reused: a PID counts only while its process still names
# this exec root on its command line.
engine_leftovers() { # exec root
  local root=$1 file pid
  for file in "$root/containerd/containerd.pid" "$root"/containerd/daemon/io.containerd.runtime.v2.task/*/*/shim.pid; do
    [[ -f "$file" ]] || continue
    pid=$(cat "$file" 2>/dev/null) && [[ $pid =~ ^[0-9]+$ ]] || continue
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$root/" && echo "$pid"
  done
  return 0
}
