"""The load generator of bench/ws.py: one process holding a share of the sockets (asyncio + the websockets library).

It imports neither Django nor the project, so its CPU goes to sockets. bench/ws.py starts several of these
(multiprocessing, spawn) and drives them through a pipe: each command is a tuple; long ones (connect, a sending
phase) run as tasks, so `progress` is answered while they run and `wait` returns their result.

Timing: every message body carries its send time, `time.monotonic_ns()` (CLOCK_MONOTONIC, one clock for every
process on the machine), and the phase it belongs to; a receiver subtracts it from the time the frame arrived.
Sending is open loop: messages leave on a fixed schedule whatever the server answers, so a slow server shows as
latency, not as a lower rate (the schedule's own lag is reported).
"""

import asyncio
import json
import os
import resource
import time

from websockets.asyncio.client import connect as ws_connect

FANOUT_KIND, PAIR_KIND = "f", "p"


class Sock:
    __slots__ = ("user_id", "conversation_id", "token", "ws", "group", "peer")

    def __init__(self, user_id, conversation_id, token, group):
        self.user_id, self.conversation_id, self.token, self.group = user_id, conversation_id, token, group
        self.ws = None
        self.peer = None


class Phase:
    """What one sending phase recorded in this process."""

    def __init__(self, name):
        self.name = name
        self.delivery = []  # ms, one-to-one: send -> message.new on the other member's socket
        self.echo = []  # ms, send -> the sender's own copy (the server stored the message and answered)
        self.fanout = {}  # key -> [sent_ns, receivers seen, last arrival ns]
        self.pairs_sent = 0
        self.lag_ms = []  # how late each send left against its schedule (the load generator's own delay)


class Worker:
    def __init__(self, conn, spec):
        self.conn = conn
        self.index, self.workers = spec["worker"], spec["workers"]
        self.run_id = spec["run_id"]  # client ids are unique per run: a repeated one would be a retry, stored once
        self.socks = [Sock(*row) for row in spec["sockets"]]
        urls = spec["urls"]  # one per server; the sockets take them in turn
        self.url_of = {id(sock): urls[i % len(urls)] for i, sock in enumerate(self.socks)}
        self.group = [sock for sock in self.socks if sock.group]
        self.pairs = []
        by_conversation = {}
        for sock in self.socks:
            if not sock.group:
                by_conversation.setdefault(sock.conversation_id, []).append(sock)
        for members in by_conversation.values():
            if len(members) == 2:
                members[0].peer, members[1].peer = members[1], members[0]
                self.pairs.append(members)
        self.phase = None
        self.frames = 0
        self.errors = {}
        self.closed = 0
        self.readers = []
        self.pinger = None
        self.tasks = {}

    # --- sockets ---------------------------------------------------------------------------------------------
    async def _open(self, sock, times, failures, gate):
        async with gate:
            started = time.monotonic()
            try:
                url = self.url_of[id(sock)]
                sock.ws = await ws_connect(f"{url}/ws/chat/{sock.conversation_id}/?token={sock.token}",
                                           origin=url.replace("ws://", "http://", 1), compression=None, open_timeout=120,
                                           ping_interval=None, close_timeout=2, max_queue=None,
                                           user_agent_header=None)
            except Exception as exc:  # counted and reported; the bench goes on with the sockets it has
                failures[type(exc).__name__] = failures.get(type(exc).__name__, 0) + 1
                return
            times.append((time.monotonic() - started) * 1000)
        self.readers.append(asyncio.create_task(self._read(sock)))

    async def connect(self, concurrency):
        gate = asyncio.Semaphore(concurrency)
        times, failures = [], {}
        started = time.monotonic()
        await asyncio.gather(*(self._open(sock, times, failures, gate) for sock in self.socks))
        return {"times": times, "failures": failures, "seconds": time.monotonic() - started,
                "open": sum(1 for sock in self.socks if sock.ws is not None)}

    async def _read(self, sock):
        try:
            async for raw in sock.ws:
                now = time.monotonic_ns()
                self.frames += 1
                if not raw.startswith('{"type": "message.new"'):
                    if raw.startswith('{"type": "error"'):
                        code = json.loads(raw).get("code", "?")
                        self.errors[code] = self.errors.get(code, 0) + 1
                    continue
                message = json.loads(raw)["message"]
                parts = message["body"].split(" ")
                phase = self.phase
                if phase is None or len(parts) != 4 or parts[0] != phase.name:
                    continue
                latency = (now - int(parts[2])) / 1e6
                if message["sender"]["id"] == sock.user_id:
                    phase.echo.append(latency)
                elif parts[1] == PAIR_KIND:
                    phase.delivery.append(latency)
                else:
                    entry = phase.fanout.get(parts[3])
                    if entry is not None:
                        entry[1] += 1
                        entry[2] = max(entry[2], now)
        except Exception:
            pass
        self.closed += 1

    async def _ping_all(self, interval):
        """Every socket says ping every `interval` seconds (what the web page does), spread evenly over it."""
        frame = json.dumps({"type": "ping"})
        live = [sock for sock in self.socks if sock.ws is not None]
        if not live:
            return
        step = interval / len(live)
        while True:
            for sock in live:
                await asyncio.sleep(step)
                try:
                    await sock.ws.send(frame)
                except Exception:
                    pass

    # --- sending phases ----------------------------------------------------------------------------------------
    async def _send(self, sock, phase, kind, key, lag):
        body = f"{phase.name} {kind} {time.monotonic_ns()} {key}"
        frame = json.dumps({"type": "message.send", "body": body, "client_id": f"{self.run_id}-{phase.name}-{key}"})
        phase.lag_ms.append(lag)
        try:
            await sock.ws.send(frame)
        except Exception:
            self.errors["send_failed"] = self.errors.get("send_failed", 0) + 1

    async def _pairs(self, phase, start, rate, duration):
        """This process's share of the one-to-one messages: every `workers`-th slot of a schedule at `rate`/s."""
        if rate <= 0 or not self.pairs:
            return
        count, i = int(rate * duration), self.index
        n = 0
        while i < count:
            due = start + i / rate
            delay = due - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            pair = self.pairs[n % len(self.pairs)]
            sender = pair[(n // len(self.pairs)) % 2]  # both directions, every pair in turn
            n += 1
            phase.pairs_sent += 1
            await self._send(sender, phase, PAIR_KIND, f"{self.index}.{n}",
                             max(0.0, (time.monotonic() - due) * 1000))
            i += self.workers

    async def _fanout(self, phase, start, rate, duration):
        """Messages in the 100-member conversation, each from the next member in turn."""
        group = [sock for sock in self.group if sock.ws is not None]
        if rate <= 0 or not group:
            return
        for i in range(int(rate * duration)):
            due = start + (i + 0.5) / rate
            delay = due - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            key = f"{self.index}.f{i}"
            phase.fanout[key] = [time.monotonic_ns(), 0, 0]
            await self._send(group[i % len(group)], phase, FANOUT_KIND, key,
                             max(0.0, (time.monotonic() - due) * 1000))

    async def run_phase(self, name, start, rate, fanout_rate, duration, drain):
        phase = self.phase = Phase(name)
        cpu = os.times()
        await asyncio.gather(self._pairs(phase, start, rate - fanout_rate, duration),
                             self._fanout(phase, start, fanout_rate, duration))
        await asyncio.sleep(drain)
        after = os.times()
        self.phase = None
        group_size = len([sock for sock in self.group if sock.ws is not None])
        fanout = [((last - sent) / 1e6, seen) for sent, seen, last in phase.fanout.values()]
        return {
            "delivery": phase.delivery, "echo": phase.echo, "pairs_sent": phase.pairs_sent,
            "fanout_complete": [ms for ms, seen in fanout if seen >= group_size - 1],
            "fanout_incomplete": sum(1 for _, seen in fanout if seen < group_size - 1),
            "fanout_sent": len(fanout), "lag_ms": phase.lag_ms,
            "cpu_seconds": (after.user - cpu.user) + (after.system - cpu.system),
        }

    # --- the command loop ----------------------------------------------------------------------------------------
    async def serve(self):
        loop = asyncio.get_running_loop()
        while True:
            command, *args = await loop.run_in_executor(None, self.conn.recv)
            if command == "connect":
                self.tasks["connect"] = asyncio.create_task(self.connect(*args))
                self.conn.send("started")
            elif command == "ping":
                self.pinger = asyncio.create_task(self._ping_all(*args))
                self.conn.send("started")
            elif command == "phase":
                self.tasks["phase"] = asyncio.create_task(self.run_phase(*args))
                self.conn.send("started")
            elif command == "wait":
                self.conn.send(await self.tasks.pop(args[0]))
            elif command == "progress":
                self.conn.send({"frames": self.frames, "errors": dict(self.errors), "closed": self.closed,
                                "open": sum(1 for sock in self.socks if sock.ws is not None),
                                "sent": self.phase.pairs_sent if self.phase else 0})
            elif command == "cpu":
                times = os.times()
                self.conn.send(times.user + times.system)
            elif command == "exit":
                if self.pinger:
                    self.pinger.cancel()
                for task in self.readers:
                    task.cancel()
                self.conn.send({"errors": dict(self.errors), "closed": self.closed})
                return


def run(conn, spec):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    asyncio.run(Worker(conn, spec).serve())
