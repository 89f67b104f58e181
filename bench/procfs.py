"""What the kernel says of one process, read from /proc: the one reader bench/cluster.py and
bench/containers.py share (they measure the same processes, and must read them alike).
"""

import os


def cpu_seconds(pid):
    """CPU time of a process, or None once it is gone (a task restarted meanwhile)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            # The command name, in parentheses, may hold spaces: the fields are counted after it.
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid):
    """Resident memory of a process in MB; None once it is gone, or when it has none to report."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def cgroup_path(pid, controller):
    """The process's cgroup under one controller (v1), or under "" (the v2 unified hierarchy)."""
    with open(f"/proc/{pid}/cgroup") as groups:
        for line in groups:
            _, controllers, path = line.rstrip("\n").split(":", 2)
            if controller in controllers.split(","):
                return path
    return None
