"""Websocket benchmark: connect time, one-to-one delivery, fan-out to a 100-member conversation, memory per socket.

Run by `make bench-ws` (scripts/bench_ws.sh: a throwaway PostgreSQL and Redis on loopback, migrated); runs on any
DATABASE_URL + REDIS_URL it may write bench users into:

    DATABASE_URL=postgres://... REDIS_URL=redis://... .venv/bin/python bench/ws.py [--sizes 1000 5000] [--rate 500]

For each socket count it starts the ASGI server as production runs it (daphne, one process, influmojo.asgi with
the channels-redis layer, DEBUG off, persistent database connections) on a free loopback port and opens that many
chat sockets (/ws/chat/<id>/?token=<access JWT>), one per user: 100 in one conversation with 100 members (the
fan-out group: a brand, a creator and 98 agents, the way agents join a conversation they work on) and the rest in
two-member brand/creator conversations. The users, conversations and participants are seeded with bulk_create;
each user gets a database session and an access JWT minted the way allauth headless mints them (its own
create_token / session_key_to_sid), the server validates them statefully as for any app.

The load comes from --workers processes (bench/ws_client.py, asyncio + websockets, no Django), each holding a
share of the sockets; every socket pings every --ping-interval seconds, as the web page does. Phases, each with
its own tag in the message bodies (late frames of one phase never count in the next):
  connect     all sockets, --connect-concurrency handshakes in flight at once; per-socket handshake time, total
  warm-up     --warmup seconds at --warmup-rate messages/s (not measured)
  quiet       one-to-one messages at --quiet-rate/s: delivery (send -> message.new on the other member's socket)
  fan-out     --fanout-quiet messages/s in the 100-member conversation alone: time until the last member has it
  steps       --steps rates (1/s of each in the 100-member conversation), --step-duration s each, up to the first
              the server cannot keep up with: where delivery and fan-out stay within their targets
  sustained   --rate messages/s for --duration s, --fanout-rate of them in the 100-member conversation: delivery
              and fan-out under that load (the targets are judged here)
Memory per socket: the server's RSS after all sockets are open minus before (after a short warm-up), / sockets.
--servers N starts N daphne processes instead and spreads each worker's sockets over them in turn (so the two
members of a conversation are on different processes and their messages cross through Redis): the "one process
per core" deployment; CPU and memory are then the processes' sum.
"""

import argparse
import json
import multiprocessing
import os
import re
import resource
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DOMAIN = "ws-bench.influmojo.test"
FANOUT_MEMBERS = 100
DELIVERY_TARGET_MS = 20.0
FANOUT_TARGET_MS = 60.0
SOCKETS_TARGET = 5000


def log(message=""):
    print(message, flush=True)


def production_env():
    """Settings as a production process has them (DEBUG off, so every secret must be given): throwaway secrets,
    made once per run and shared by this process (which mints the tokens) and the server (which checks them)."""
    from cryptography.fernet import Fernet
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    pem = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()
    env = {
        "DJANGO_DEBUG": "false", "DJANGO_SECRET_KEY": secrets.token_urlsafe(50), "HEADLESS_JWT_PRIVATE_KEY": pem,
        "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(), "PAYMENTS_SANDBOX": "true",
        "DJANGO_SECURE_SSL_REDIRECT": "false", "DATABASE_CONN_MAX_AGE": "60", "CELERY_TASK_ALWAYS_EAGER": "1",
        "LOG_LEVEL": "WARNING",
    }
    for key, value in env.items():
        os.environ.setdefault(key, value)


def percentile(values, fraction):
    if not values:
        return None
    ordered = sorted(values)
    k = (len(ordered) - 1) * fraction
    low = int(k)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def load():
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


# --- Seeding (bulk) --------------------------------------------------------------------------------------------
def seed(max_sockets):
    """Users u0..u{n}: u0-u99 in the fan-out conversation, then brand/creator pairs, one conversation each; plus a
    spare pair that warms the server up. Reuses what an earlier run left (same e-mails and topics)."""
    from django.db import transaction

    from accounts.models import User
    from chat.models import Conversation, Participant

    pairs = (max_sockets - FANOUT_MEMBERS) // 2 + 1  # the last one is the warm-up pair
    total = FANOUT_MEMBERS + 2 * pairs
    started = time.monotonic()
    existing = dict(User.objects.filter(email__endswith="@" + DOMAIN).values_list("email", "pk"))
    missing = []
    for i in range(total):
        email = f"u{i}@{DOMAIN}"
        if email in existing:
            continue
        if i < FANOUT_MEMBERS:
            kind = User.UserType.BRAND if i == 0 else User.UserType.CREATOR if i == 1 else User.UserType.AGENT
        else:
            kind = User.UserType.BRAND if (i - FANOUT_MEMBERS) % 2 == 0 else User.UserType.CREATOR
        missing.append(User(email=email, name=f"Bench user {i}", user_type=kind, status=User.Status.ACTIVE,
                            password="!bench-ws-no-login", email_verified=True, onboarding_completed=True))
    with transaction.atomic():
        User.objects.bulk_create(missing, batch_size=1000)
        ids = dict(User.objects.filter(email__endswith="@" + DOMAIN).values_list("email", "pk"))
        user = [ids[f"u{i}@{DOMAIN}"] for i in range(total)]
        topics = {"bench-ws:fanout": (user[0], user[1])}
        for p in range(pairs):
            topics[f"bench-ws:pair:{p}"] = (user[FANOUT_MEMBERS + 2 * p], user[FANOUT_MEMBERS + 2 * p + 1])
        have = set(Conversation.objects.filter(topic__in=list(topics)).values_list("topic", flat=True))
        Conversation.objects.bulk_create([
            Conversation(kind=Conversation.Kind.DIRECT, topic=topic, brand_id=brand, creator_id=creator,
                         title="Bench fan-out (100 members)" if topic == "bench-ws:fanout" else "")
            for topic, (brand, creator) in topics.items() if topic not in have], batch_size=1000)
        conversation = dict(Conversation.objects.filter(topic__in=list(topics)).values_list("topic", "pk"))
        members = [Participant(conversation_id=conversation["bench-ws:fanout"], user_id=user[i],
                               role="brand" if i == 0 else "creator" if i == 1 else "agent")
                   for i in range(FANOUT_MEMBERS)]
        for p in range(pairs):
            cid = conversation[f"bench-ws:pair:{p}"]
            members.append(Participant(conversation_id=cid, user_id=user[FANOUT_MEMBERS + 2 * p], role="brand"))
            members.append(Participant(conversation_id=cid, user_id=user[FANOUT_MEMBERS + 2 * p + 1], role="creator"))
        Participant.objects.bulk_create(members, batch_size=2000, ignore_conflicts=True)
    log(f"Seeded {len(missing):,} users ({total:,} in all), {len(conversation):,} conversations "
        f"in {time.monotonic() - started:.1f}s")
    fanout = [(user[i], conversation["bench-ws:fanout"], True) for i in range(FANOUT_MEMBERS)]
    pair_rows = [[(user[FANOUT_MEMBERS + 2 * p + j], conversation[f"bench-ws:pair:{p}"], False) for j in (0, 1)]
                 for p in range(pairs)]
    return fanout, pair_rows[:-1], pair_rows[-1]


def mint_tokens(user_ids):
    """One database session and one access JWT per user, as allauth headless makes them at login (the session
    holds the user and the hash of their password; the token names the session, encrypted), written in bulk."""
    from allauth.headless import app_settings
    from allauth.headless.tokens.strategies.jwt import internal as jwt
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    from accounts.models import User

    started = time.monotonic()
    store = SessionStore()
    users = User.objects.in_bulk(list(user_ids))
    expire = timezone.now() + timezone.timedelta(days=1)
    sessions, tokens = [], {}
    for pk in user_ids:
        key = get_random_string(32, "abcdefghijklmnopqrstuvwxyz0123456789")
        data = {SESSION_KEY: str(pk), BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
                HASH_SESSION_KEY: users[pk].get_session_auth_hash()}
        sessions.append(Session(session_key=key, session_data=store.encode(data), expire_date=expire))
        tokens[pk] = jwt.create_token("access", sub=str(pk), sid=jwt.session_key_to_sid(key), claims={},
                                      expires_in=app_settings.JWT_ACCESS_TOKEN_EXPIRES_IN)[0]
    Session.objects.bulk_create(sessions, batch_size=2000)
    checked = jwt.validate_access_token(tokens[user_ids[0]])
    assert checked is not None and checked[0].pk == user_ids[0], "a minted token does not validate"
    log(f"Minted {len(tokens):,} sessions + access JWTs in {time.monotonic() - started:.1f}s")
    return tokens


def reset_presence():
    """Nobody online, no connection rows, no group members in the layer: a server stopped with sockets open leaves
    all three behind (its channels would stay in the groups and every push would still go to them)."""
    import redis

    from accounts.models import User
    from chat.models import Connection

    Connection.objects.all().delete()
    User.objects.filter(email__endswith="@" + DOMAIN, is_online=True).update(is_online=False)
    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    stale = list(client.scan_iter(match="asgi*", count=1000))  # channels_redis's keys (its default prefix)
    if stale:
        client.delete(*stale)
    client.close()


# --- The server -----------------------------------------------------------------------------------------------
class Server:
    def __init__(self, log_path):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.log_path = log_path
        self.log_file = open(log_path, "w")
        self.process = subprocess.Popen(
            [str(ROOT / ".venv/bin/daphne"), "-e", f"tcp:port={self.port}:interface=127.0.0.1:backlog=4096",
             "-v", "0", "--websocket_connect_timeout", "120", *production_daphne_options(), "influmojo.asgi:application"],
            cwd=ROOT, stdout=self.log_file, stderr=subprocess.STDOUT, env=os.environ.copy())
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"daphne exited: see {log_path}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("daphne did not start listening in 60 s")

    def rss_mb(self):
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return 0.0

    def cpu_seconds(self):
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log_file.close()

    def problems(self):
        lines = Path(self.log_path).read_text().splitlines()
        return [line for line in lines if "ERROR" in line or "Traceback" in line or "WARNING" in line]


class Servers:
    """--servers daphne processes, read as one: their ports, and their memory and CPU summed."""

    def __init__(self, servers):
        self.servers = servers
        self.ports = [server.port for server in servers]

    def rss_mb(self):
        return sum(server.rss_mb() for server in self.servers)

    def cpu_seconds(self):
        return sum(server.cpu_seconds() for server in self.servers)

    def stop(self):
        for server in self.servers:
            server.stop()

    def problems(self):
        return [line for server in self.servers for line in server.problems()]

    def describe(self):
        return ", ".join(f"pid {server.process.pid} on 127.0.0.1:{server.port}" for server in self.servers)


def production_daphne_options() -> list[str]:
    """The options of the Dockerfile's daphne CMD but where it listens (-b, -p) and the application."""
    text = (ROOT / "Dockerfile").read_text()
    command = json.loads(re.search(r"^CMD (\[.*\])$", text, re.MULTILINE).group(1))
    options, args = [], iter(command[1:-1])
    for arg in args:
        value = next(args)
        if arg not in ("-b", "-p"):
            options += [arg, value]
    return options


def processes_cpu(*names):
    """CPU seconds so far of the processes whose command is one of `names` (PostgreSQL, Redis), the ones that have
    ended included (their parent, the postmaster, has them as its children's time)."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:  # the process ended meanwhile
            continue
        comm, rest = text[text.index("(") + 1: text.rindex(")")], text.rsplit(")", 1)[1].split()
        if comm in names:
            total += sum(int(v) for v in rest[11:15])  # utime, stime, cutime, cstime
    return total / os.sysconf("SC_CLK_TCK")


def machine_cpu():
    """(busy, total) jiffies of the whole machine, for the share of both cores a phase used."""
    fields = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields) - idle, sum(fields)


# --- One round ------------------------------------------------------------------------------------------------
class Round:
    def __init__(self, options, size, fanout, pairs, spare):
        self.options, self.size = options, size
        self.pairs = pairs[: (size - FANOUT_MEMBERS) // 2]
        self.fanout, self.spare = fanout, spare
        self.sockets = FANOUT_MEMBERS + 2 * len(self.pairs)
        self.rows = []
        self.notes = []

    def _workers_start(self, tokens):
        from bench import ws_client

        context = multiprocessing.get_context("spawn")
        count = self.options.workers
        shares = [[] for _ in range(count)]
        shares[0].extend((uid, cid, tokens[uid], True) for uid, cid, _ in self.fanout)
        for p, pair in enumerate(self.pairs):
            shares[(p + 1) % count].extend((uid, cid, tokens[uid], False) for uid, cid, _ in pair)
        self.workers = []
        for k in range(count):
            parent, child = context.Pipe()
            spec = {"urls": [f"ws://127.0.0.1:{port}" for port in self.server.ports], "worker": k,
                    "workers": count, "sockets": shares[k], "run_id": f"{secrets.token_hex(4)}.{self.sockets}"}
            process = context.Process(target=ws_client.run, args=(child, spec), daemon=True)
            process.start()
            self.workers.append((process, parent))

    def _all(self, *command):
        for _, conn in self.workers:
            conn.send(command)
        return [conn.recv() for _, conn in self.workers]

    def _wait(self, task, label, expected=None):
        """Waits for every worker's task, printing progress every 5 s."""
        for _, conn in self.workers:
            conn.send(("wait", task))
        results = [None] * len(self.workers)
        started = time.monotonic()
        while any(result is None for result in results):
            for k, (_, conn) in enumerate(self.workers):
                if results[k] is None and conn.poll(0.1):
                    results[k] = conn.recv()
            if time.monotonic() - started >= 5 and any(result is None for result in results):
                started = time.monotonic()
                log(f"    … {label}: {time.monotonic() - self.phase_started:.0f}s"
                    + (f" of ~{expected:.0f}s" if expected else "") + f", load {load()}")
        return results

    def _cpu(self):
        return (self.server.cpu_seconds(), processes_cpu("postgres"), processes_cpu("redis-server"), machine_cpu(),
                time.monotonic())

    def _cpu_note(self, before, label, client_seconds=None):
        server_s, pg_s, redis_s, (busy0, total0), t0 = before
        server_now, pg_now, redis_now, (busy1, total1), t1 = self._cpu()
        wall = t1 - t0
        servers = "server" if self.options.servers == 1 else f"{self.options.servers} servers (summed)"
        text = (f"{label}: {servers} {100 * (server_now - server_s) / wall:.0f}% of a core, PostgreSQL "
                f"{100 * (pg_now - pg_s) / wall:.0f}%, Redis {100 * (redis_now - redis_s) / wall:.0f}%, machine "
                f"{100 * (busy1 - busy0) / max(1, total1 - total0):.0f}% of 2 cores")
        if client_seconds is not None:
            text += f", clients {100 * client_seconds / wall:.0f}% of a core (sum of {len(self.workers)})"
        return text + f", load {load()}"

    def run(self, tokens):
        options = self.options
        log(f"\n=== {self.sockets:,} sockets ({len(self.pairs):,} two-member conversations + {FANOUT_MEMBERS} in the "
            f"fan-out conversation), {options.workers} client processes; load {load()}")
        reset_presence()
        suffixes = [""] if options.servers == 1 else [f"-{k}" for k in range(options.servers)]
        self.server = Servers([Server(Path(options.log_dir) / f"daphne-{self.sockets}{suffix}.log")
                               for suffix in suffixes])
        log(f"daphne {self.server.describe()}; RSS {self.server.rss_mb():.0f} MB")
        try:
            self._warm_server(tokens)
            self._workers_start(tokens)
            self._measure()
        finally:
            try:
                self._all("exit")
            except Exception:
                pass
            self.server.stop()
            for process, _ in self.workers if hasattr(self, "workers") else []:
                process.join(timeout=5)
                if process.is_alive():
                    process.kill()
            problems = self.server.problems()
            if problems:
                self.notes.append(f"server log: {len(problems)} warning/error lines, e.g. {problems[0][:200]}")

    def _warm_server(self, tokens):
        """The spare pair connects, trades 20 messages and leaves: Django's lazy imports and first queries are done
        before the memory baseline is taken."""
        import asyncio

        from websockets.asyncio.client import connect

        async def warm():
            ports = self.server.ports  # with several servers the spare pair's two sockets are on two of them
            hosts = [f"127.0.0.1:{ports[k % len(ports)]}" for k in range(len(self.spare))]
            socks = [await connect(f"ws://{host}/ws/chat/{cid}/?token={tokens[uid]}", origin=f"http://{host}",
                                   compression=None) for host, (uid, cid, _) in zip(hosts, self.spare)]
            for i in range(20):
                await socks[i % 2].send(f'{{"type": "message.send", "body": "warm {i}", "client_id": "w{time.time_ns()}"}}')
                while True:
                    raw = await asyncio.wait_for(socks[(i + 1) % 2].recv(), 10)
                    if '"message.new"' in raw and f"warm {i}" in raw:
                        break
            for sock in socks:
                await sock.close()
        asyncio.run(warm())
        time.sleep(1)

    def _phase(self, name, label, rate, fanout_rate, duration, drain=3.0):
        log(f"  [{label}] {rate} msg/s ({fanout_rate}/s in the fan-out conversation) for {duration:.0f}s")
        start = time.monotonic() + 0.5
        before = self._cpu()
        client_before = sum(self._all("cpu"))
        self.phase_started = time.monotonic()
        self._all("phase", name, start, rate, fanout_rate, duration, drain)
        results = self._wait("phase", label, duration + drain)
        client_after = sum(self._all("cpu"))
        delivery = [v for r in results for v in r["delivery"]]
        echo = [v for r in results for v in r["echo"]]
        fanout = [v for r in results for v in r["fanout_complete"]]
        lag = [v for r in results for v in r["lag_ms"]]
        sent = sum(r["pairs_sent"] for r in results)
        fan_sent = sum(r["fanout_sent"] for r in results)
        incomplete = sum(r["fanout_incomplete"] for r in results)
        note = self._cpu_note(before, label, client_after - client_before)
        note += (f"; sent {sent:,} one-to-one ({len(delivery):,} delivered within the phase and its {drain:.0f}s "
                 f"drain, {len(delivery) / (duration + drain):.0f}/s over both), {fan_sent} fan-out "
                 f"({incomplete} not complete); send-schedule lag p99 {percentile(lag, 0.99) or 0:.1f} ms, "
                 f"max {max(lag or [0]):.1f} ms")
        self.notes.append(note)
        log(f"    {note}")
        return delivery, echo, fanout, sent, incomplete

    def _row(self, metric, samples, target=None, unit="ms", extra=""):
        p50, p95, p99 = (percentile(samples, f) for f in (0.5, 0.95, 0.99))
        verdict = "-" if target is None or p95 is None else ("PASS" if p95 <= target else "FAIL")
        self.rows.append((self.sockets, metric, len(samples), p50, p95, p99,
                          f"p95<={target:.0f} {unit}" if target else "", verdict, extra))
        if p50 is not None:
            log(f"    {metric}: n={len(samples):,} p50 {p50:.1f}  p95 {p95:.1f}  p99 {p99:.1f} {unit}  {verdict} {extra}")

    def _measure(self):
        options = self.options
        rss_before = self.server.rss_mb()
        log(f"  [connect] {self.sockets:,} sockets, {options.connect_concurrency} handshakes in flight; server RSS "
            f"before {rss_before:.0f} MB")
        before = self._cpu()
        per_worker = max(1, options.connect_concurrency // options.workers)
        self.phase_started = time.monotonic()
        self._all("connect", per_worker)
        results = self._wait("connect", "connect")
        total = time.monotonic() - self.phase_started
        times = [v for r in results for v in r["times"]]
        failures = {}
        for r in results:
            for name, count in r["failures"].items():
                failures[name] = failures.get(name, 0) + count
        opened = sum(r["open"] for r in results)
        self.notes.append(self._cpu_note(before, "connect"))
        log(f"    {opened:,} open in {total:.1f}s ({opened / total:.0f}/s); failures {failures or 'none'}")
        time.sleep(3)  # presence frames settle
        rss_after = self.server.rss_mb()
        self._row("connect (handshake)", times, extra=f"all {opened:,} in {total:.1f}s ({opened / total:.0f}/s)"
                  + (f", {sum(failures.values())} failed" if failures else ""))
        per_socket_kb = (rss_after - rss_before) * 1024 / max(1, opened)
        self.rows.append((self.sockets, "memory per socket", opened, None, None, None, "", "-",
                          f"RSS {rss_before:.0f} -> {rss_after:.0f} MB: {per_socket_kb:.0f} KB/socket"))
        log(f"    server RSS {rss_before:.0f} -> {rss_after:.0f} MB: {per_socket_kb:.0f} KB per socket")
        self.sockets_ok = opened >= self.sockets and not failures
        self._all("ping", options.ping_interval)
        self.baseline = self._server_load(3)
        self.notes.append(f"idle server with {opened:,} sockets pinging every {options.ping_interval:.0f}s: "
                          f"{100 * self.baseline:.0f}% of a core")
        log(f"    idle server (pings only): {100 * self.baseline:.0f}% of a core")
        self._phase("w", "warm-up", options.warmup_rate, 1, options.warmup)
        self._wait_idle()
        delivery, echo, _, sent, _ = self._phase("q", "quiet one-to-one", options.quiet_rate, 0, options.quiet_duration)
        self._row(f"delivery at {options.quiet_rate}/s", delivery, DELIVERY_TARGET_MS,
                  extra=self._lost(sent, delivery))
        self._row(f"  sender's echo at {options.quiet_rate}/s", echo)
        self._wait_idle()
        _, _, fanout, _, incomplete = self._phase("f", "quiet fan-out", options.fanout_quiet, options.fanout_quiet,
                                                  options.fanout_duration)
        self._row(f"fan-out x{FANOUT_MEMBERS} alone", fanout, FANOUT_TARGET_MS,
                  extra=f"{incomplete} incomplete" if incomplete else "")
        for step, rate in enumerate(options.steps):
            self._wait_idle()
            delivery, _, fanout, sent, incomplete = self._phase(f"l{step}", f"step {rate}/s", rate, 1,
                                                                options.step_duration)
            self._row(f"delivery at {rate}/s (step)", delivery, DELIVERY_TARGET_MS, extra=self._lost(sent, delivery))
            self._row(f"fan-out x{FANOUT_MEMBERS} at {rate}/s (step)", fanout, FANOUT_TARGET_MS,
                      extra=f"{incomplete} incomplete" if incomplete else "")
            p95 = percentile(delivery, 0.95)
            if p95 is None or p95 > 10 * DELIVERY_TARGET_MS or len(delivery) < 0.9 * sent:
                log(f"    the server is past its capacity at {rate}/s: no higher steps")
                break
        self._wait_idle()
        delivery, echo, fanout, sent, incomplete = self._phase("s", "sustained", options.rate, options.fanout_rate,
                                                               options.duration, drain=5.0)
        self._row(f"delivery at {options.rate}/s", delivery, DELIVERY_TARGET_MS, extra=self._lost(sent, delivery))
        self._row(f"  sender's echo at {options.rate}/s", echo)
        self._row(f"fan-out x{FANOUT_MEMBERS} at {options.rate}/s", fanout, FANOUT_TARGET_MS,
                  extra=f"{incomplete} incomplete" if incomplete else "")
        rss_end = self.server.rss_mb()
        self.notes.append(f"server RSS at the end {rss_end:.0f} MB")
        progress = self._all("progress")
        errors = {}
        for p in progress:
            for code, count in p["errors"].items():
                errors[code] = errors.get(code, 0) + count
        closed = sum(p["closed"] for p in progress)
        if errors or closed:
            self.notes.append(f"error frames {errors or 'none'}; sockets closed by the server {closed}")

    def _server_load(self, seconds):
        before = self.server.cpu_seconds()
        time.sleep(seconds)
        return (self.server.cpu_seconds() - before) / seconds

    def _wait_idle(self, limit=240):
        """Until the server has worked off what earlier phases sent (its CPU back near the pings-only baseline), so
        a phase never measures the backlog of the one before."""
        started = time.monotonic()
        while time.monotonic() - started < limit:
            busy = self._server_load(1)
            if busy <= self.baseline + 0.15:
                return
            if time.monotonic() - started > 5:
                log(f"    … waiting for the server to work off its backlog ({100 * busy:.0f}% of a core)")
        log(f"    ! the server was still busy after {limit}s")

    @staticmethod
    def _lost(sent, delivered):
        missing = sent - len(delivered)
        return f"{missing:,} of {sent:,} not delivered within the phase" if missing > 0 else ""


def report(rounds, started, servers=1):
    log("\n" + "=" * 100)
    log("Results (ms unless said; targets: 5,000 sockets in one process, delivery p95 <= 20 ms, fan-out p95 <= 60 ms "
        "at 500 messages/s)")
    header = f"{'sockets':>7}  {'metric':<30} {'n':>7} {'p50':>8} {'p95':>8} {'p99':>8}  {'target':<14} {'result':<6} notes"
    log(header)
    log("-" * len(header))
    for round_ in rounds:
        for sockets, metric, n, p50, p95, p99, target, verdict, extra in round_.rows:
            numbers = "".join(f"{v:>9.1f}" if v is not None else f"{'-':>9}" for v in (p50, p95, p99))
            log(f"{sockets:>7,}  {metric:<30} {n:>7,}{numbers}  {target:<14} {verdict:<6} {extra}")
    biggest = max((r for r in rounds), key=lambda r: r.sockets, default=None)
    if biggest is not None and servers == 1:
        ok = biggest.sockets >= SOCKETS_TARGET and biggest.sockets_ok
        log(f"\n{biggest.sockets:,} sockets held by one daphne process: {'PASS' if ok else 'FAIL'} "
            f"(target {SOCKETS_TARGET:,})")
    for round_ in rounds:
        log(f"\n{round_.sockets:,} sockets:")
        for note in round_.notes:
            log(f"  - {note}")
    log(f"\nBenchmark took {time.monotonic() - started:.0f}s; load average now {load()}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000], help="socket counts, one round each")
    parser.add_argument("--rate", type=int, default=500, help="messages/s in the sustained phase (fan-out included)")
    parser.add_argument("--fanout-rate", type=int, default=5, help="of those, messages/s in the 100-member one")
    parser.add_argument("--duration", type=float, default=30, help="seconds of the sustained phase")
    parser.add_argument("--quiet-rate", type=int, default=50)
    parser.add_argument("--quiet-duration", type=float, default=10)
    parser.add_argument("--fanout-quiet", type=int, default=2, help="fan-out messages/s in the quiet fan-out phase")
    parser.add_argument("--fanout-duration", type=float, default=20)
    parser.add_argument("--warmup", type=float, default=5)
    parser.add_argument("--warmup-rate", type=int, default=40)
    parser.add_argument("--steps", type=int, nargs="*", default=[25, 50, 100, 200],
                        help="rates (messages/s, 1/s of them fan-out) tried one after the other before the sustained "
                             "phase, stopping after the first the server cannot keep up with")
    parser.add_argument("--step-duration", type=float, default=15)
    parser.add_argument("--workers", type=int, default=2, help="client processes")
    parser.add_argument("--servers", type=int, default=1,
                        help="daphne processes, the sockets spread over them (one process per core)")
    parser.add_argument("--connect-concurrency", type=int, default=100)
    parser.add_argument("--ping-interval", type=float, default=25, help="seconds between a socket's pings (the pages: 25)")
    parser.add_argument("--log-dir", default=os.environ.get("BENCH_DIR", "/tmp"))
    options = parser.parse_args()

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    if hard < max(options.sizes) + 1000:
        sys.exit(f"open files limit {hard} is too low for {max(options.sizes)} sockets (ulimit -n)")
    if not os.environ.get("REDIS_URL"):
        sys.exit("REDIS_URL is not set: the benchmark measures the channels-redis layer (make bench-ws starts one)")
    production_env()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "influmojo.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    log(f"CPU cores: {os.cpu_count()}; load average: {load()}; {Path('/proc/cpuinfo').read_text().count('processor')} "
        f"processors; Python {sys.version.split()[0]}")
    log(f"Layer {settings.CHANNEL_LAYERS['default']['BACKEND']}; database {connection.vendor}; DEBUG {settings.DEBUG}; "
        f"CONN_MAX_AGE {connection.settings_dict['CONN_MAX_AGE']}")
    started = time.monotonic()
    fanout, pairs, spare = seed(max(options.sizes))
    rounds = []
    for size in options.sizes:
        round_ = Round(options, size, fanout, pairs, spare)
        users = [uid for uid, _, _ in fanout] + [uid for pair in round_.pairs for uid, _, _ in pair] + \
                [uid for uid, _, _ in spare]
        tokens = mint_tokens(users)
        connection.close()
        round_.run(tokens)
        rounds.append(round_)
    report(rounds, started, options.servers)


if __name__ == "__main__":
    main()
