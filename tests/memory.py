"""Peak memory of the current process, for tests that bound it in a child process."""

from __future__ import annotations


def peak_mb() -> int:
    """VmHWM of this process; unlike ru_maxrss it does not carry a forking parent's peak."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) // 1024
    raise RuntimeError("no VmHWM in /proc/self/status")
