#!/usr/bin/env python3
"""Requests per second of one admin command (status-get by default), sent one after the other by
one client, over the admin socket and over HTTP (one keep-alive connection, a session cookie),
in the same run against the same acdd (docs/performance.md, "Web").

    status_rate.py SOCKET WEB_PORT USER PASSWORD [COUNT] [COMMAND]

Both clients are this Python program, so the ratio compares the two transports through acdd,
with the same client overhead on each side."""
import http.client
import json
import socket
import sys
import time


def over_socket(path, command, count):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    f = s.makefile("rwb")
    line = (json.dumps({"command": command}) + "\n").encode()
    start = time.perf_counter()
    for _ in range(count):
        f.write(line)
        f.flush()
        if json.loads(f.readline())["result"] != 0:
            sys.exit("the socket refused " + command)
    return count / (time.perf_counter() - start)


def over_http(port, user, password, command, count):
    c = http.client.HTTPConnection("127.0.0.1", port)
    headers = {"Content-Type": "application/json"}
    c.request("POST", "/api/login", json.dumps({"user": user, "password": password}), headers)
    r = c.getresponse()
    r.read()
    if r.status != 200:
        sys.exit(f"login: HTTP {r.status}")
    headers["Cookie"] = r.getheader("Set-Cookie").split(";")[0]
    body = json.dumps({"command": command})
    start = time.perf_counter()
    for _ in range(count):
        c.request("POST", "/api/command", body, headers)
        r = c.getresponse()
        if json.loads(r.read())["result"] != 0:
            sys.exit("HTTP refused " + command)
    return count / (time.perf_counter() - start)


def main():
    path, port, user, password = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    count = int(sys.argv[5]) if len(sys.argv) > 5 else 5000
    command = sys.argv[6] if len(sys.argv) > 6 else "status-get"
    sock = over_socket(path, command, count)
    web = over_http(port, user, password, command, count)
    print(json.dumps({"command": command, "count": count, "socket_per_s": round(sock),
                      "http_per_s": round(web), "http_to_socket": round(web / sock, 3)}))


if __name__ == "__main__":
    main()
