#!/usr/bin/env python3
"""Clients of /api/events that follow acdd while a load runs (docs/performance.md, "Web").

    sse_clients.py SOCKET WEB_PORT DESKS BOARDS

Adds DESKS users of role agent (bench_d000... working as agents b000...) and BOARDS supervisors
through the admin socket, signs each in, opens one /api/events stream per user (desks: what a
desk follows; boards: calls, agents, queues, alerts), and reads every stream as fast as it comes,
in one thread. Prints "ready N" on standard output once the N streams are open, then follows
until SIGTERM, and prints on standard error the bytes and events each kind of client received
and the streams acdd closed."""
import http.client
import json
import selectors
import signal
import socket
import sys

PASSWORD = "bench password 1234"


def admin(path, command, arguments):
    with socket.socket(socket.AF_UNIX) as s:
        s.connect(path)
        s.sendall((json.dumps({"command": command, "arguments": arguments}) + "\n").encode())
        reply = b""
        while not reply.endswith(b"\n"):
            chunk = s.recv(65536)
            if not chunk:
                sys.exit("the admin socket closed")
            reply += chunk
    answer = json.loads(reply)
    if answer["result"] != 0:
        sys.exit(f"{command}: {answer}")


def login(port, user):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    c.request("POST", "/api/login", json.dumps({"user": user, "password": PASSWORD}),
              {"Content-Type": "application/json"})
    r = c.getresponse()
    r.read()
    if r.status != 200:
        sys.exit(f"login {user}: HTTP {r.status}")
    cookie = r.getheader("Set-Cookie").split(";")[0]
    c.close()
    return cookie


def main():
    path, port, desks, boards = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    users = []
    for i in range(desks):
        users.append((f"bench_d{i:03d}", "agent", f"b{i:03d}", "calls,agents,queues"))
    for i in range(boards):
        users.append((f"bench_s{i:03d}", "supervisor", None, "calls,agents,queues,alerts"))
    for user, role, agent, _ in users:
        args = {"user": user, "name": user, "role": role, "password": PASSWORD}
        if agent:
            args["agent"] = agent
        admin(path, "user-add", args)
    selector = selectors.DefaultSelector()
    stats = {"agent": [0, 0], "supervisor": [0, 0]}  # bytes, events
    closed = 0
    for user, role, _, topics in users:
        s = socket.create_connection(("127.0.0.1", port))
        s.sendall(f"GET /api/events?topics={topics} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                  f"Cookie: {login(port, user)}\r\n\r\n".encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = s.recv(4096)
            if not chunk:
                sys.exit(f"{user}: the stream closed")
            head += chunk
        if not head.startswith(b"HTTP/1.1 200"):
            sys.exit(f"{user}: {head[:40]!r}")
        s.setblocking(False)
        selector.register(s, selectors.EVENT_READ, role)
    print(f"ready {len(users)}", flush=True)

    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    while not stop:
        for key, _ in selector.select(timeout=0.5):
            try:
                data = key.fileobj.recv(1 << 16)
            except (BlockingIOError, InterruptedError):
                continue
            if not data:
                selector.unregister(key.fileobj)
                key.fileobj.close()
                closed += 1
                continue
            stats[key.data][0] += len(data)
            stats[key.data][1] += data.count(b"data: ")
    for role, (size, events) in stats.items():
        print(f"sse {role}s received {size} bytes, {events} events", file=sys.stderr)
    print(f"sse streams closed by acdd: {closed}", file=sys.stderr)


if __name__ == "__main__":
    main()
