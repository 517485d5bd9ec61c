#!/usr/bin/env python3
"""The disk's own commit latency, for docs/performance.md ("Ack stalls"): how long a 16 KiB
write + fdatasync takes on this file system, alone and next to a second file written in 4 MiB
runs and synced (what a checkpoint does to the database file while commits sync the WAL).

    fsync_loop.py DIR SECONDS     prints two lines: alone, and beside the bulk writer
"""
import os
import sys
import threading
import time

PAGE = 16384
BULK = 4 << 20


def loop(path, seconds):
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    for off in range(0, 64 << 20, BULK):  # written once: the loop overwrites, as a reused WAL
        os.pwrite(fd, bytes(BULK), off)
    os.fsync(fd)
    buf = os.urandom(PAGE)
    times = []
    off = 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        t = time.monotonic()
        os.pwrite(fd, buf, off)
        os.fdatasync(fd)
        times.append((time.monotonic() - t) * 1000)
        off = (off + PAGE) % (64 << 20)
    os.close(fd)
    return times


def bulk(path, stop):
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    buf = os.urandom(BULK)
    off = 0
    while not stop.is_set():
        os.pwrite(fd, buf, off)
        os.fdatasync(fd)
        off = (off + BULK) % (256 << 20)  # grows to 256 MiB, then overwritten
    os.close(fd)


def summary(name, times):
    times = sorted(times)
    q = lambda p: times[min(len(times) - 1, int(p * len(times)))]
    return (f"{name}: {len(times)} syncs, ms p50 {q(0.5):.2f} p99 {q(0.99):.2f} "
            f"p999 {q(0.999):.2f} max {times[-1]:.2f}")


def main():
    d, seconds = sys.argv[1], float(sys.argv[2])
    print(summary("fdatasync of 16 KiB, alone", loop(os.path.join(d, "wal"), seconds)))
    stop = threading.Event()
    t = threading.Thread(target=bulk, args=(os.path.join(d, "db"), stop))
    t.start()
    times = loop(os.path.join(d, "wal"), seconds)
    stop.set()
    t.join()
    print(summary("fdatasync of 16 KiB, beside 4 MiB writes + fdatasync of another file", times))
    for f in ("wal", "db"):
        os.unlink(os.path.join(d, f))


if __name__ == "__main__":
    main()
