#!/usr/bin/env python3
"""Keeps a bounded number of faulty connections open against the lab's `/f/` endpoints, cycling them.

Used by scripts/lab-fault-load.sh while wrk drives the normal endpoints. Each of CONCURRENCY workers loops
until DURATION has passed (or SIGTERM/SIGINT): it opens a connection to 127.0.0.1, sends
`GET /f/<fault>` with an `Origin` (faults taken in turn), reads at most READ_CAP bytes of whatever comes back,
holds the connection for a few seconds (uniform in [HOLD/2, 3*HOLD/2]), then closes it (every other close is
an abortive one, a TCP RST, like a cancelled browser fetch; the rest a FIN). When the lab ends the connection
first (a reset fault, a complete answer), the worker still waits out its hold time, so a worker opens at most
one connection per hold period: at most CONCURRENCY * DURATION / (HOLD/2) connections in all.

Prints a summary on stderr and one JSON line on stdout: {"opened": N, "errors": E, "per_fault": {...}}.
Only loopback: the host is fixed to 127.0.0.1.
"""

import argparse
import asyncio
import json
import random
import signal
import socket
import struct
import sys
import time

HOST = "127.0.0.1"
ORIGIN = "http://127.0.0.1:41234"


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--concurrency", type=int, default=50)
    p.add_argument("--duration", type=float, default=15.0, help="seconds; the hard bound of the run")
    p.add_argument("--hold", type=float, default=3.0, help="mean seconds a connection is held")
    p.add_argument("--read-cap", type=int, default=256 * 1024, help="bytes read per connection at most")
    p.add_argument(
        "--faults",
        default="never-answer,slow-drip,endless-body,reset-mid-body,huge-body",
        help="comma-separated fault names",
    )
    p.add_argument("--seed", type=int, default=7)
    a = p.parse_args()
    if not 1 <= a.concurrency <= 500:
        p.error("--concurrency must be 1..500")
    if not 0 < a.duration <= 600:
        p.error("--duration must be in (0, 600]")
    if not 0.2 <= a.hold <= 60:
        p.error("--hold must be in [0.2, 60]")
    return a


class Stats:
    def __init__(self, faults):
        self.per_fault = {f: {"opened": 0, "bytes": 0, "ended_by_lab": 0, "errors": 0} for f in faults}
        self.open_now = 0
        self.open_peak = 0

    def total(self, key):
        return sum(s[key] for s in self.per_fault.values())


async def one_connection(fault, stats, hold, read_cap, abortive, deadline):
    """One faulty connection: request, bounded read, hold, close. Never outlives `deadline`."""
    s = stats.per_fault[fault]
    end = min(time.monotonic() + hold, deadline)
    writer = None
    try:
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection(HOST, ARGS.port), timeout=max(0.1, end - time.monotonic())
        )
    except (OSError, asyncio.TimeoutError):
        s["errors"] += 1
        await asyncio.sleep(max(0.0, end - time.monotonic()))
        return
    s["opened"] += 1
    stats.open_now += 1
    stats.open_peak = max(stats.open_peak, stats.open_now)
    try:
        writer.write(
            f"GET /f/{fault} HTTP/1.1\r\nHost: {HOST}:{ARGS.port}\r\nOrigin: {ORIGIN}\r\n"
            f"User-Agent: corscope-lab-fault-load\r\nAccept: */*\r\n\r\n".encode()
        )
        await writer.drain()
        got = 0
        while got < read_cap:
            left = end - time.monotonic()
            if left <= 0:
                break
            try:
                chunk = await asyncio.wait_for(reader.read(min(65536, read_cap - got)), timeout=left)
            except asyncio.TimeoutError:
                break
            if not chunk:  # the lab closed (FIN) or reset the connection
                s["ended_by_lab"] += 1
                break
            got += len(chunk)
            s["bytes"] += len(chunk)
        # Past the read cap the connection is held without reading (a stalled reader: backpressure on the lab).
        await asyncio.sleep(max(0.0, end - time.monotonic()))
    except (ConnectionResetError, BrokenPipeError):
        s["ended_by_lab"] += 1
        await asyncio.sleep(max(0.0, end - time.monotonic()))
    except OSError:
        s["errors"] += 1
    finally:
        stats.open_now -= 1
        if writer is not None:
            if abortive:
                sock = writer.get_extra_info("socket")
                if sock is not None:
                    try:
                        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    except OSError:
                        pass
            writer.close()
            try:
                await asyncio.wait_for(writer.wait_closed(), timeout=1.0)
            except (OSError, asyncio.TimeoutError):
                pass


async def worker(index, faults, stats, stop, deadline, rng):
    n = index
    while not stop.is_set() and time.monotonic() < deadline:
        fault = faults[n % len(faults)]
        hold = rng.uniform(ARGS.hold / 2, ARGS.hold * 1.5)
        await one_connection(fault, stats, hold, ARGS.read_cap, abortive=(n // len(faults)) % 2 == 1,
                             deadline=deadline)
        n += ARGS.concurrency


async def main():
    faults = [f.strip() for f in ARGS.faults.split(",") if f.strip()]
    stats = Stats(faults)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    start = time.monotonic()
    deadline = start + ARGS.duration
    rng = random.Random(ARGS.seed)
    # Stagger the start over half a hold so connections do not all cycle in step.
    tasks = []
    for i in range(ARGS.concurrency):
        tasks.append(asyncio.create_task(worker(i, faults, stats, stop, deadline, random.Random(rng.random()))))
        await asyncio.sleep(ARGS.hold / 2 / ARGS.concurrency)
    waiter = asyncio.create_task(stop.wait())
    everyone = asyncio.gather(*tasks, return_exceptions=True)
    await asyncio.wait([waiter, everyone], timeout=max(0.0, deadline - time.monotonic()) + 2,
                       return_when=asyncio.FIRST_COMPLETED)
    # Stopped (signal or deadline): cancel whatever is still held; `finally` closes the sockets.
    for t in tasks:
        t.cancel()
    await asyncio.wait([everyone], timeout=5)
    waiter.cancel()
    elapsed = time.monotonic() - start
    for f, s in stats.per_fault.items():
        print(
            f"lab-fault-client: {f:<19} opened {s['opened']:>4}  read {s['bytes'] / 1024:>9.0f} KiB  "
            f"ended by the lab {s['ended_by_lab']:>4}  errors {s['errors']}",
            file=sys.stderr,
        )
    print(
        f"lab-fault-client: {stats.total('opened')} fault connections opened in {elapsed:.1f} s "
        f"({ARGS.concurrency} at a time, peak {stats.open_peak} open), {stats.total('errors')} errors",
        file=sys.stderr,
    )
    print(json.dumps({
        "opened": stats.total("opened"),
        "errors": stats.total("errors"),
        "open_peak": stats.open_peak,
        "elapsed_s": round(elapsed, 2),
        "per_fault": stats.per_fault,
    }))


if __name__ == "__main__":
    ARGS = parse_args()
    asyncio.run(main())
