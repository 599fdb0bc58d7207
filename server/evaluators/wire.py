"""The messages between an HTTP worker and an evaluator, over Unix stream connections.

A new connection starts with the evaluator's greeting, its process id, sent as soon as it accepts (so the
worker knows whom to kill if the deadline passes); then the worker sends a job and the evaluator its
outcome. The evaluator keeps the connection for the worker's next job, which it then reads without a
greeting, until it lets the connection go for a queued one: it writes :data:`RELEASED` (a byte no outcome
starts with) and closes it. Jobs are JSON (the evaluator never unpickles anything); outcomes are a fixed header followed
by the content type, the message and the body as raw bytes, so the serialised answer pyoxigraph produced
crosses the process boundary without being copied into another object first.
"""

from __future__ import annotations

import functools
import json
import socket
import struct
import time

from server.evaluation import Job, Outcome, OutputFormat

GREETING = struct.Struct("!I")  # the evaluator's pid
_LENGTH = struct.Struct("!I")
# kind, truncated, content-type length, message length, body length
_OUTCOME = struct.Struct("!BBHIQ")
_KINDS = ("ok", "syntax", "not_acceptable", "error")
RELEASED = b"\xff"  # the evaluator lets a kept connection go: a job sent on it was not read
OUTCOME_HEADER_SIZE = _OUTCOME.size


class ChannelClosed(Exception):
    """The other end closed the connection (or was killed) before the message was complete."""


def encode_job(job: Job) -> bytes:
    """The job as JSON; the server's prefixes, the same tuple in every job, are encoded once (last)."""
    fields = [
        job.query,
        job.capped_query,
        list(job.default_graphs) if job.default_graphs is not None else None,
        list(job.named_graphs) if job.named_graphs is not None else None,
        [job.results_format.name, job.results_format.content_type] if job.results_format else None,
        [job.graph_format.name, job.graph_format.content_type] if job.graph_format else None,
        job.max_rows,
        job.base_iri,
        job.query_has_dataset,
    ]
    head = json.dumps(fields, ensure_ascii=False, separators=(",", ":"))
    payload = f"{head[:-1]},{_prefixes_json(job.prefixes)}]".encode()
    return _LENGTH.pack(len(payload)) + payload


@functools.lru_cache(maxsize=8)
def _prefixes_json(prefixes: tuple[tuple[str, str], ...]) -> str:
    return json.dumps([list(pair) for pair in prefixes], ensure_ascii=False, separators=(",", ":"))


def decode_job(payload: bytes) -> Job:
    (query, capped, defaults, named, results, graph, max_rows, base_iri, has_dataset, prefixes) = json.loads(payload)
    return Job(
        query=query,
        capped_query=capped,
        default_graphs=tuple(defaults) if defaults is not None else None,
        named_graphs=tuple(named) if named is not None else None,
        results_format=OutputFormat(*results) if results else None,
        graph_format=OutputFormat(*graph) if graph else None,
        max_rows=max_rows,
        prefixes=tuple((prefix, iri) for prefix, iri in prefixes),
        base_iri=base_iri,
        query_has_dataset=has_dataset,
    )


def read_job(channel: socket.socket) -> Job:
    size = _LENGTH.unpack(read_exactly(channel, _LENGTH.size))[0]
    return decode_job(read_exactly(channel, size))


def send_outcome(channel: socket.socket, outcome: Outcome) -> None:
    content_type = outcome.content_type.encode("ascii")
    message = outcome.message.encode("utf-8")
    header = _OUTCOME.pack(
        _KINDS.index(outcome.kind), outcome.truncated, len(content_type), len(message), len(outcome.body)
    )
    parts = [header + content_type + message, outcome.body]
    sent, total = 0, sum(len(part) for part in parts)
    while sent < total:  # sendmsg may send part of the buffers; carry on from where it stopped
        sent += channel.sendmsg(_remaining(parts, sent))


def outcome_size(header: bytes | bytearray) -> int:
    """The whole outcome's length in bytes, from its first :data:`OUTCOME_HEADER_SIZE` bytes."""
    _, _, type_size, message_size, body_size = _OUTCOME.unpack_from(header)
    return _OUTCOME.size + type_size + message_size + body_size


def decode_outcome(data: bytes | bytearray) -> Outcome:
    """An outcome from its complete bytes (see :func:`outcome_size`); the body is copied once, from ``data``."""
    kind, truncated, type_size, message_size, _ = _OUTCOME.unpack_from(data)
    view = memoryview(data)
    start = _OUTCOME.size
    body_start = start + type_size + message_size
    return Outcome(
        kind=_KINDS[kind],  # type: ignore[arg-type]
        content_type=str(view[start : start + type_size], "ascii"),
        message=str(view[start + type_size : body_start], "utf-8"),
        body=bytes(view[body_start:]),
        truncated=bool(truncated),
    )


def read_exactly(channel: socket.socket, size: int, deadline_at: float | None = None) -> bytes:
    """``size`` bytes from ``channel``; :class:`TimeoutError` past ``deadline_at`` (a monotonic time)."""
    buffer = bytearray(size)
    view, received = memoryview(buffer), 0
    while received < size:
        if deadline_at is not None:
            remaining = deadline_at - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            channel.settimeout(remaining)
        count = channel.recv_into(view[received:])
        if count == 0:
            raise ChannelClosed
        received += count
    return bytes(buffer)


def _remaining(parts: list[bytes], offset: int) -> list[memoryview]:
    views = []
    for part in parts:
        if offset >= len(part):
            offset -= len(part)
            continue
        views.append(memoryview(part)[offset:])
        offset = 0
    return views
