"""Peak memory of this process.

Not `resource.getrusage(...).ru_maxrss`: on Linux a child keeps its parent's high-water
mark across fork and exec, so a bot started from a 300 MB benchmark process would report
at least 300 MB. /proc/self/status's VmHWM belongs to this process image alone.
"""

from __future__ import annotations

import resource
from pathlib import Path


def peak_rss_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except (OSError, ValueError, IndexError):
        pass
    # Elsewhere: the best there is (kilobytes on Linux, bytes on macOS).
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
