"""CPU settings for training on shared, oversubscribed cores (steps measured 2-7x faster here).

Call tune_for_shared_cores() before torch is first imported: OpenMP threads then sleep instead of
spinning when there are more threads than free cores, and glibc keeps freed tensor memory instead
of unmapping it and page-faulting it back in on the next step.
"""

import ctypes
import os


def tune_for_shared_cores() -> None:
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(-3, 32 << 20)  # M_MMAP_THRESHOLD
        libc.mallopt(-1, 1 << 30)  # M_TRIM_THRESHOLD
        libc.mallopt(-2, 256 << 20)  # M_TOP_PAD
    except OSError:
        pass
