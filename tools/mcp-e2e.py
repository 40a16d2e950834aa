#!/usr/bin/env python3
"""End-to-end test of Neuroloom's MCP server with an independent client: the official MCP Python SDK.

Usage: tools/mcp-e2e.py PATH/TO/neuroloom

Creates a temporary data directory with two workspaces, starts `neuroloom serve` on a free loopback
port, and then, over Streamable HTTP (/mcp) and over stdio (`neuroloom mcp`):
lists the tools, creates, searches, updates and deletes a memory, checks scope filtering and tool
errors, and checks that a key from the other workspace sees none of it. Over HTTP it also checks, with
raw requests, the 401 before any MCP processing, that a session is bound to the key that opened it,
and that a revoked key stops working on its next request.

Prints one line per check and `N passed, M failed`; exits non-zero on any failure. The server is
always stopped. Needs `pip install mcp` (1.x or 2.x).
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import traceback
import urllib.error
import urllib.request

try:
    import anyio
    from mcp import ClientSession, StdioServerParameters
    from mcp.client.stdio import stdio_client
except ImportError:  # pragma: no cover
    print("tools/mcp-e2e.py needs the MCP Python SDK: pip install mcp", file=sys.stderr)
    sys.exit(2)

ALL_TOOLS = {"memory_create", "memory_search", "memory_get", "memory_update", "memory_delete", "memory_list"}
READ_TOOLS = {"memory_search", "memory_get", "memory_list"}
REQUIRED = {
    "memory_create": ["content"],
    "memory_search": ["query"],
    "memory_get": ["id"],
    "memory_update": ["id"],
    "memory_delete": ["id"],
    "memory_list": [],
}
FLOW_TIMEOUT_SECONDS = 120
INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "mcp-e2e", "version": "1"}},
}
LIST_TOOLS = {"jsonrpc": "2.0", "id": 2, "method": "tools/list"}


class Results:
    def __init__(self) -> None:
        self.passed = 0
        self.failed = 0

    def check(self, ok: bool, label: str, detail: object = "") -> bool:
        if ok:
            self.passed += 1
            print(f"ok   {label}", flush=True)
        else:
            self.failed += 1
            print(f"FAIL {label}" + (f": {detail}" if detail != "" else ""), flush=True)
        return ok


# MARK: The neuroloom binary


def cli(binary: str, *args: str) -> dict:
    """Runs a neuroloom command that prints JSON and returns the parsed output."""
    done = subprocess.run([binary, *args], capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    if done.returncode != 0:
        raise RuntimeError(f"neuroloom {' '.join(args)} failed ({done.returncode}): {done.stderr.strip()}")
    return json.loads(done.stdout)


class Server:
    """`neuroloom serve` on a free loopback port; stop() always ends it."""

    LISTENING = re.compile(r"Neuroloom listening on (http://\S+)")

    def __init__(self, binary: str, data: str, log_path: str) -> None:
        self.log_path = log_path
        self.log = open(log_path, "w")
        env = dict(os.environ, NEUROLOOM_LOG_LEVEL="warning")
        self.process = subprocess.Popen(
            [binary, "serve", "--data", data, "--port", "0", "--no-bootstrap"],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=self.log, text=True, env=env,
        )
        self.lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def wait_until_listening(self, timeout: float = 60) -> str:
        while True:
            try:
                line = self.lines.get(timeout=timeout)
            except queue.Empty:
                raise RuntimeError(f"the server did not report its address within {timeout:.0f} s")
            if line is None:
                raise RuntimeError(f"the server exited ({self.process.wait()}) before listening: {self.log_tail()}")
            match = self.LISTENING.search(line)
            if match:
                return match.group(1)

    def log_tail(self) -> str:
        self.log.flush()
        with open(self.log_path) as log:
            return "".join(log.readlines()[-20:]).strip()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=15)
        self.log.close()


# MARK: MCP sessions


@contextlib.asynccontextmanager
async def http_session(url: str, key: str):
    headers = {"Authorization": f"Bearer {key}"}
    try:  # mcp 2.x (and late 1.x): the caller configures the HTTP client
        from mcp.client.streamable_http import streamable_http_client
        from mcp.shared._httpx_utils import create_mcp_http_client
    except ImportError:
        streamable_http_client = None
    if streamable_http_client is not None:
        async with create_mcp_http_client(headers=headers) as http_client:
            async with streamable_http_client(url, http_client=http_client) as streams:
                async with ClientSession(streams[0], streams[1]) as session:
                    await session.initialize()
                    yield session
    else:  # mcp 1.x
        from mcp.client.streamable_http import streamablehttp_client

        async with streamablehttp_client(url, headers=headers) as streams:
            async with ClientSession(streams[0], streams[1]) as session:
                await session.initialize()
                yield session


@contextlib.asynccontextmanager
async def stdio_session(binary: str, data: str, key: str):
    parameters = StdioServerParameters(
        command=binary, args=["mcp", "--data", data],
        env={"NEUROLOOM_API_KEY": key, "NEUROLOOM_LOG_LEVEL": "warning"},
    )
    async with stdio_client(parameters) as streams:
        async with ClientSession(streams[0], streams[1]) as session:
            await session.initialize()
            yield session


class Reply:
    def __init__(self, result) -> None:
        flag = getattr(result, "is_error", None)
        if flag is None:
            flag = getattr(result, "isError", None)
        self.is_error = bool(flag)
        self.text = "".join(getattr(item, "text", "") or "" for item in getattr(result, "content", []) or [])
        try:
            self.json = json.loads(self.text)
        except ValueError:
            self.json = None

    def get(self, key: str):
        return self.json.get(key) if isinstance(self.json, dict) else None

    def __repr__(self) -> str:
        return f"<{'error' if self.is_error else 'ok'} {self.text[:300]}>"


async def call(session, name: str, arguments: dict) -> Reply:
    return Reply(await session.call_tool(name, arguments))


async def list_tools(session) -> list:
    return list((await session.list_tools()).tools)


def input_schema(tool) -> dict:
    schema = getattr(tool, "input_schema", None)
    if schema is None:
        schema = getattr(tool, "inputSchema", None)
    return schema or {}


def ids_of(items) -> set:
    return {item.get("id") for item in items or [] if isinstance(item, dict)}


# MARK: The flow both transports run


async def memory_flow(r: Results, name: str, open_session, keys: dict) -> None:
    """open_session(key) is an async context manager giving an initialized ClientSession."""
    p = f"[{name}]"
    async with open_session(keys["admin"]) as session:
        tools = await list_tools(session)
        names = {tool.name for tool in tools}
        r.check(names == ALL_TOOLS, f"{p} tools/list shows the six memory tools", sorted(names))
        for tool in tools:
            schema = input_schema(tool)
            r.check(schema.get("type") == "object" and sorted(schema.get("required", [])) == REQUIRED.get(tool.name),
                    f"{p} {tool.name} has an object input schema requiring {REQUIRED.get(tool.name)}", schema)

        content = f"The user prefers dark mode in every editor ({name})"
        created = await call(session, "memory_create", {"content": content, "metadata": {"topic": "ui", "priority": 2}})
        memory_id = created.get("id")
        r.check(not created.is_error and isinstance(memory_id, str) and memory_id.startswith("mem_")
                and created.get("content") == content, f"{p} memory_create returns the memory", created)

        found = await call(session, "memory_search", {"query": "dark mode editor", "filters": {"topic": "ui", "priority": {"$gte": 2}}})
        r.check(not found.is_error and memory_id in ids_of(found.get("results")), f"{p} memory_search finds it (with filters)", found)
        missed = await call(session, "memory_search", {"query": "dark mode editor", "filters": {"priority": {"$gt": 2}}})
        r.check(not missed.is_error and memory_id not in ids_of(missed.get("results")), f"{p} a non-matching filter excludes it", missed)

        new_content = f"The user switched to light mode ({name})"
        updated = await call(session, "memory_update", {"id": memory_id, "content": new_content})
        r.check(not updated.is_error and updated.get("content") == new_content
                and updated.get("metadata") == {"topic": "ui", "priority": 2}, f"{p} memory_update changes the content", updated)
        fetched = await call(session, "memory_get", {"id": memory_id})
        r.check(fetched.get("content") == new_content, f"{p} memory_get returns the update", fetched)
        listed = await call(session, "memory_list", {"limit": 100})
        r.check(memory_id in ids_of(listed.get("memories")) and "nextCursor" in (listed.json or {}),
                f"{p} memory_list pages the workspace's memories", listed)

        invalid = await call(session, "memory_create", {"content": ""})
        r.check(invalid.is_error and invalid.text.startswith("invalid_request: content"),
                f"{p} invalid input is a tool error naming the field", invalid)
        unknown_field = await call(session, "memory_create", {"content": "x", "colour": "red"})
        r.check(unknown_field.is_error and "colour" in unknown_field.text, f"{p} an unknown argument is refused by name", unknown_field)

        # Another workspace's key sees none of it.
        async with open_session(keys["other"]) as other:
            got = await call(other, "memory_get", {"id": memory_id})
            r.check(got.is_error and got.text.startswith("not_found"), f"{p} another workspace's key gets not_found for get", got)
            searched = await call(other, "memory_search", {"query": "light mode editor dark"})
            r.check(not searched.is_error and searched.get("results") == [], f"{p} another workspace's search finds nothing", searched)
            other_list = await call(other, "memory_list", {})
            r.check(not other_list.is_error and other_list.get("memories") == [], f"{p} another workspace's list is empty", other_list)
            hijack = await call(other, "memory_update", {"id": memory_id, "content": "hijacked"})
            r.check(hijack.is_error and hijack.text.startswith("not_found"), f"{p} another workspace cannot update it", hijack)
            removal = await call(other, "memory_delete", {"id": memory_id})
            r.check(removal.is_error and removal.text.startswith("not_found"), f"{p} another workspace cannot delete it", removal)

        # A read key sees and may call only the read tools.
        async with open_session(keys["read"]) as reader:
            read_names = {tool.name for tool in await list_tools(reader)}
            r.check(read_names == READ_TOOLS, f"{p} a read key's tools/list shows only search/get/list", sorted(read_names))
            refused = await call(reader, "memory_create", {"content": "not allowed"})
            r.check(refused.is_error and "lacks the write scope" in refused.text, f"{p} a read key's memory_create is a scope error", refused)
            readable = await call(reader, "memory_get", {"id": memory_id})
            r.check(readable.get("content") == new_content, f"{p} a read key can get the memory", readable)

        deleted = await call(session, "memory_delete", {"id": memory_id})
        r.check(not deleted.is_error and deleted.json == {"id": memory_id, "deleted": True}, f"{p} memory_delete", deleted)
        gone = await call(session, "memory_get", {"id": memory_id})
        r.check(gone.is_error and gone.text.startswith("not_found"), f"{p} the deleted memory is gone", gone)


# MARK: Raw HTTP checks


class RawReply:
    def __init__(self, status: int, headers, body: bytes) -> None:
        self.status = status
        self.headers = headers
        self.text = body.decode("utf-8", "replace")

    def header(self, name: str) -> str | None:
        return self.headers.get(name) if self.headers is not None else None

    def messages(self) -> list:
        """JSON-RPC messages: the data lines of an event stream, or the JSON body."""
        if (self.header("Content-Type") or "").startswith("text/event-stream"):
            out = []
            for line in self.text.splitlines():
                if line.startswith("data:") and line[5:].strip():
                    out.append(json.loads(line[5:].strip()))
            return out
        try:
            return [json.loads(self.text)]
        except ValueError:
            return []


OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def raw(method: str, url: str, key: str | None, message: dict | None = None, session: str | None = None) -> RawReply:
    headers = {"Accept": "application/json, text/event-stream"}
    if key is not None:
        headers["Authorization"] = f"Bearer {key}"
    if session is not None:
        headers["Mcp-Session-Id"] = session
    body = None
    if message is not None:
        headers["Content-Type"] = "application/json"
        body = json.dumps(message).encode()
    request = urllib.request.Request(url, data=body, method=method, headers=headers)
    try:
        with OPENER.open(request, timeout=30) as response:
            return RawReply(response.status, response.headers, response.read())
    except urllib.error.HTTPError as error:
        return RawReply(error.code, error.headers, error.read())


def http_protocol_checks(r: Results, url: str, binary: str, data: str, keys: dict, workspace: str) -> None:
    p = "[http]"
    for method, message in (("POST", INITIALIZE), ("GET", None), ("DELETE", None)):
        for label, key in (("no key", None), ("a malformed key", "nlk_live_nope")):
            reply = raw(method, url, key, message, session=None if method == "POST" else "anything")
            body = reply.messages()[0] if reply.messages() else {}
            r.check(reply.status == 401 and reply.header("WWW-Authenticate") == 'Bearer realm="neuroloom"'
                    and (body.get("error") or {}).get("code") == "unauthorized",
                    f"{p} {method} /mcp with {label} is the API's 401", f"{reply.status} {reply.text[:200]}")

    opened = raw("POST", url, keys["admin"], INITIALIZE)
    session = opened.header("Mcp-Session-Id")
    server_info = ((opened.messages() or [{}])[0].get("result") or {}).get("serverInfo") or {}
    r.check(opened.status == 200 and bool(session) and server_info.get("name") == "neuroloom",
            f"{p} initialize opens a session", f"{opened.status} {opened.text[:300]}")
    if session:
        own = raw("POST", url, keys["admin"], LIST_TOOLS, session=session)
        r.check(own.status == 200, f"{p} the session works with the key that opened it", own.status)
        stolen = raw("POST", url, keys["read"], LIST_TOOLS, session=session)
        r.check(stolen.status == 404, f"{p} another key presenting the session gets 404", f"{stolen.status} {stolen.text[:200]}")
        ended = raw("DELETE", url, keys["admin"], session=session)
        r.check(ended.status == 200, f"{p} DELETE ends the session", ended.status)
        after = raw("POST", url, keys["admin"], LIST_TOOLS, session=session)
        r.check(after.status == 404, f"{p} an ended session is not found", after.status)

    doomed = cli(binary, "key", "create", "--workspace", workspace, "--scope", "write", "--env", "live",
                 "--name", "revoked-in-e2e", "--data", data, "--json")
    opened = raw("POST", url, doomed["key"], INITIALIZE)
    session = opened.header("Mcp-Session-Id")
    r.check(opened.status == 200 and bool(session), f"{p} a second key opens its own session", opened.status)
    revoked = subprocess.run([binary, "key", "revoke", doomed["id"], "--data", data], capture_output=True, text=True, timeout=60)
    r.check(revoked.returncode == 0, f"{p} the key is revoked beside the running server", revoked.stderr.strip())
    after = raw("POST", url, doomed["key"], LIST_TOOLS, session=session)
    r.check(after.status == 401, f"{p} a revoked key's next request is 401", f"{after.status} {after.text[:200]}")


# MARK: Main


async def run_flow(r: Results, name: str, flow) -> None:
    try:
        with anyio.fail_after(FLOW_TIMEOUT_SECONDS):
            await flow()
    except Exception as error:  # one broken flow must not hide the others' results
        r.check(False, f"[{name}] flow completed", f"{type(error).__name__}: {error}")
        traceback.print_exc()


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    binary = os.path.abspath(sys.argv[1])
    if not os.access(binary, os.X_OK):
        print(f"not an executable: {binary}", file=sys.stderr)
        return 2
    # Loopback traffic must never go through a proxy from the environment.
    for variable in ("NO_PROXY", "no_proxy"):
        os.environ[variable] = ",".join(filter(None, [os.environ.get(variable), "127.0.0.1", "localhost"]))

    r = Results()
    work = tempfile.mkdtemp(prefix="neuroloom-mcp-e2e-")
    data = os.path.join(work, "data")
    server = None
    try:
        first = cli(binary, "workspace", "create", "--name", "e2e-one", "--data", data, "--json")
        second = cli(binary, "workspace", "create", "--name", "e2e-two", "--data", data, "--json")
        workspace = first["workspace"]["id"]
        reader = cli(binary, "key", "create", "--workspace", workspace, "--scope", "read", "--env", "live",
                     "--name", "e2e-reader", "--data", data, "--json")
        keys = {"admin": first["keys"]["live"], "other": second["keys"]["live"], "read": reader["key"]}

        server = Server(binary, data, os.path.join(work, "server.log"))
        base = server.wait_until_listening()
        url = base + "/mcp"
        print(f"server at {base}", flush=True)

        http_protocol_checks(r, url, binary, data, keys, workspace)
        anyio.run(run_flow, r, "http", lambda: memory_flow(r, "http", lambda key: http_session(url, key), keys))
        anyio.run(run_flow, r, "stdio", lambda: memory_flow(r, "stdio", lambda key: stdio_session(binary, data, key), keys))

        # stdio refuses a key that does not work before serving anything.
        refused = subprocess.run([binary, "mcp", "--data", data], capture_output=True, text=True, timeout=60,
                                 stdin=subprocess.DEVNULL, env=dict(os.environ, NEUROLOOM_API_KEY="nlk_live_nope"))
        r.check(refused.returncode != 0 and refused.stdout == "" and "NEUROLOOM_API_KEY" in refused.stderr,
                "[stdio] an invalid key exits non-zero with a message on stderr and nothing on stdout",
                f"{refused.returncode} {refused.stdout[:100]!r} {refused.stderr.strip()[:200]}")
    except Exception as error:
        r.check(False, "setup and flows ran", f"{type(error).__name__}: {error}")
        traceback.print_exc()
        if server is not None:
            print(server.log_tail(), file=sys.stderr)
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(work, ignore_errors=True)

    print(f"{r.passed} passed, {r.failed} failed", flush=True)
    return 0 if r.failed == 0 and r.passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
