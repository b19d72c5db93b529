"""Frames on the pipes between the app and its text-stream worker: a 4-byte big-endian length, then the payload.

No pickle. To the worker: the model's config (JSON, as in config.json, plus the serving settings), its weights
(safetensors bytes), then requests {"stream": id, "prompt", "knobs"} and {"stop": id} (JSON). From the worker:
READY once the model is loaded, PING when it has had nothing else to say for a while (the app's watchdog listens
for it), then kind + stream id + payload: PIECE + the next characters, END, or FAILED + a message.
"""
from __future__ import annotations

import struct
from typing import IO

READY, PING, PIECE, END, FAILED = b"r", b".", b"p", b"e", b"!"
_LENGTH = struct.Struct(">I")  # frame length
_STREAM_ID = struct.Struct(">Q")  # in every stream reply, after its kind byte


class WorkerStopped(Exception):
    """The pipe closed: the process at the other end has exited (or sent something that is not a frame)."""


def frame(payload: bytes) -> bytes:
    return _LENGTH.pack(len(payload)) + payload


def write_frame(pipe: IO[bytes], payload: bytes) -> None:
    pipe.write(frame(payload))
    pipe.flush()


def read_frame(pipe: IO[bytes]) -> bytes:
    header = pipe.read(_LENGTH.size)
    if len(header) < _LENGTH.size:
        raise WorkerStopped
    (length,) = _LENGTH.unpack(header)
    payload = pipe.read(length)
    if len(payload) < length:
        raise WorkerStopped
    return payload


def reply(kind: bytes, stream_id: int, text: str = "") -> bytes:
    """A stream reply's payload: kind, stream id, then the text (UTF-8)."""
    return kind + _STREAM_ID.pack(stream_id) + text.encode()


def reply_stream(payload: bytes) -> int:
    """The stream id of a reply made by `reply`."""
    return _STREAM_ID.unpack_from(payload, 1)[0]


def reply_text(payload: bytes) -> str:
    return payload[1 + _STREAM_ID.size :].decode()
