"""The generated Ingest messages and stub (runstream/_proto/, made by sdk/python/build.sh)."""

from __future__ import annotations

import os
import subprocess

try:
    from ._proto import ingest_pb2 as pb, ingest_pb2_grpc as pb_grpc
except ImportError as missing:
    # In a checkout the stubs can be made on the spot; an installed package ships them.
    _build = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "build.sh")
    if not os.path.isfile(_build):
        raise ImportError("runstream: the gRPC stubs are missing; run sdk/python/build.sh") from missing
    _done = subprocess.run(["bash", _build], capture_output=True, text=True)
    if _done.returncode != 0:
        raise ImportError(f"runstream: the gRPC stubs are missing and {_build} failed:\n{_done.stderr}") from missing
    from ._proto import ingest_pb2 as pb, ingest_pb2_grpc as pb_grpc

__all__ = ["pb", "pb_grpc"]
