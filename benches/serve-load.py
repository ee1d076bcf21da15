#!/usr/bin/env python3
"""Load on the live preview, loopback only and bounded in time.

Starts `proficio serve` on a free loopback port (or uses --url), then runs
three scenarios one after the other, each beside a steady stream of normal
page requests from "readers":

  slowloris   300 connections whose request head never ends: one more byte
              each second, reconnecting whenever the server closes them
  idle        500 keep-alive connections that ask once and then say nothing,
              reconnecting whenever the server closes them
  live-reload 200 open live-reload event streams; half of them live ten
              seconds each, so about ten a second close and open again

For each scenario it prints how many reader requests were made, how many
failed (a status other than 200, a reset, or no answer within 5 s) and their
latency p50, p99 and maximum; it exits non-zero unless every scenario had no
failure and a p99 under 200 ms.

    cargo build --release
    python3 benches/serve-load.py                 # the demo portal
    python3 benches/serve-load.py --root SITE --seconds 20
    python3 benches/serve-load.py --url http://127.0.0.1:1111/

Needs Python 3.8+ and nothing else.
"""

import argparse
import asyncio
import os
import re
import subprocess
import sys
import time

READER_TIMEOUT = 5.0
READERS = 4
P99_LIMIT_MS = 200.0


async def get(host, port, path, timeout=READER_TIMEOUT):
    """One GET on a fresh connection; returns (status, body bytes)."""

    async def exchange():
        reader, writer = await asyncio.open_connection(host, port)
        try:
            writer.write(
                f"GET {path} HTTP/1.1\r\nHost: localhost:{port}\r\n"
                "Connection: close\r\n\r\n".encode()
            )
            await writer.drain()
            raw = await reader.read(-1)
        finally:
            writer.close()
        head, _, body = raw.partition(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1]) if head.startswith(b"HTTP/") else 0
        return status, body

    return await asyncio.wait_for(exchange(), timeout)


async def pages_of(host, port):
    """Up to 20 page paths of the site, from its sitemap."""
    status, body = await get(host, port, "/sitemap.xml")
    paths = ["/"]
    if status == 200:
        for url in re.findall(rb"<loc>([^<]+)</loc>", body):
            path = re.sub(rb"^https?://[^/]+", b"", url).decode() or "/"
            if path not in paths:
                paths.append(path)
    return paths[:20]


async def readers(host, port, paths, until):
    """Readers asking for pages one after another until `until`."""
    latencies, failures = [], []

    async def reader(offset):
        i = offset
        while time.monotonic() < until:
            path = paths[i % len(paths)]
            i += 1
            started = time.monotonic()
            try:
                status, _ = await get(host, port, path)
                if status != 200:
                    failures.append(f"{path}: status {status}")
            except (OSError, asyncio.TimeoutError) as e:
                failures.append(f"{path}: {type(e).__name__} {e}")
                continue
            latencies.append((time.monotonic() - started) * 1000)
            await asyncio.sleep(0.01)

    await asyncio.gather(*(reader(n) for n in range(READERS)))
    return latencies, failures


async def hold(open_one, count, until):
    """Keeps `count` connections of one kind open until `until`, opening a
    new one whenever one ends."""

    async def keep():
        while time.monotonic() < until:
            try:
                await open_one(until)
            except (OSError, asyncio.TimeoutError, asyncio.IncompleteReadError):
                await asyncio.sleep(0.05)

    tasks = [asyncio.ensure_future(keep()) for _ in range(count)]
    return tasks


def slowloris(host, port):
    async def open_one(until):
        reader, writer = await asyncio.open_connection(host, port)
        try:
            writer.write(b"GET / HTTP/1.1\r\nHost: localhost\r\nX-Slow: ")
            while time.monotonic() < until:
                await asyncio.sleep(1)
                writer.write(b"a")
                await writer.drain()
                if reader.at_eof():
                    return
        finally:
            writer.close()

    return open_one


def idle(host, port):
    async def open_one(until):
        reader, writer = await asyncio.open_connection(host, port)
        try:
            writer.write(b"GET /robots.txt HTTP/1.1\r\nHost: localhost\r\n\r\n")
            await writer.drain()
            # Wait, saying nothing, until the server closes the connection.
            while time.monotonic() < until:
                if not await asyncio.wait_for(reader.read(65536), until - time.monotonic()):
                    return
        except asyncio.TimeoutError:
            return
        finally:
            writer.close()

    return open_one


def live_reload(host, port):
    async def open_one(until):
        reader, writer = await asyncio.open_connection(host, port)
        try:
            writer.write(
                b"GET /__proficio/events HTTP/1.1\r\nHost: localhost\r\n\r\n"
            )
            await writer.drain()
            # Half the streams stay; the others live ten seconds each.
            lives = until if hash(writer) % 2 else time.monotonic() + 10
            while time.monotonic() < min(until, lives):
                left = min(until, lives) - time.monotonic()
                try:
                    if not await asyncio.wait_for(reader.read(4096), max(left, 0.01)):
                        return
                except asyncio.TimeoutError:
                    return
        finally:
            writer.close()

    return open_one


SCENARIOS = [
    ("slowloris", slowloris, 300),
    ("idle keep-alive", idle, 500),
    ("live-reload", live_reload, 200),
]


def percentile(values, share):
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def run(host, port, seconds):
    paths = await pages_of(host, port)
    print(f"readers ask for {len(paths)} pages; {READERS} readers; {seconds} s a scenario")
    print(f"{'scenario':<17}{'conns':>6}{'requests':>10}{'failures':>10}"
          f"{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}")
    ok = True
    for name, kind, count in SCENARIOS:
        until = time.monotonic() + seconds
        load = await hold(kind(host, port), count, until)
        # Let the load connect before the readers start counting.
        await asyncio.sleep(1)
        latencies, failures = await readers(host, port, paths, until)
        for task in load:
            task.cancel()
        await asyncio.gather(*load, return_exceptions=True)
        p50, p99 = percentile(latencies, 0.5), percentile(latencies, 0.99)
        worst = max(latencies, default=float("nan"))
        print(f"{name:<17}{count:>6}{len(latencies) + len(failures):>10}"
              f"{len(failures):>10}{p50:>9.1f}{p99:>9.1f}{worst:>9.1f}")
        for failure in failures[:5]:
            print(f"    {failure}")
        ok &= not failures and p99 < P99_LIMIT_MS
        # Give the server a moment to close what the scenario left.
        await asyncio.sleep(1)
    return ok


def start_server(binary, root):
    server = subprocess.Popen(
        [binary, "serve", "--port", "0", "--root", root],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, "NO_COLOR": "1"},
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        line = server.stderr.readline().decode(errors="replace")
        if not line:
            break
        found = re.search(r"Serving http://127\.0\.0\.1:(\d+)/", line)
        if found:
            # Keep reading its lines so a full pipe never blocks it.
            subprocess.Popen(["cat"], stdin=server.stderr, stdout=subprocess.DEVNULL)
            return server, int(found.group(1))
    server.kill()
    sys.exit("proficio serve did not say where it serves")


def peak_memory(pid):
    """The server's peak resident memory, where /proc tells it."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return f"{int(line.split()[1]) / 1024:.0f} MB"
    except OSError:
        pass
    return "unknown"


def main():
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", default=repo, help="the site to serve (default: the demo)")
    parser.add_argument("--binary", default=os.path.join(repo, "target/release/proficio"))
    parser.add_argument("--url", help="use a running preview at this loopback URL")
    parser.add_argument("--seconds", type=float, default=15, help="length of each scenario")
    args = parser.parse_args()

    server = None
    if args.url:
        found = re.match(r"http://(127\.0\.0\.1|localhost|\[::1\]):(\d+)/?$", args.url)
        if not found:
            sys.exit("--url must be a loopback URL such as http://127.0.0.1:1111/")
        port = int(found.group(2))
    else:
        if not os.access(args.binary, os.X_OK):
            sys.exit(f"{args.binary} not found: run `cargo build --release` first")
        server, port = start_server(args.binary, args.root)
    try:
        ok = asyncio.run(run("127.0.0.1", port, args.seconds))
        if server:
            print(f"server peak memory: {peak_memory(server.pid)}")
    finally:
        if server:
            server.kill()
            server.wait()
    print("PASS" if ok else f"FAIL: a failure or a p99 of {P99_LIMIT_MS:.0f} ms or more")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
