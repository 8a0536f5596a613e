"""TIFF files assembled byte by byte for the tests (TIFF 6.0 layout written out by hand)."""

from __future__ import annotations

import struct
from pathlib import Path
from typing import Any, Dict, List, Sequence, Tuple

import numpy as np


def write_tiff(path: Path, pages: Sequence[Tuple[List[bytes], Dict[int, Tuple[int, Any]]]], big_endian: bool = False) -> None:
    """A classic TIFF: per page the encoded strips and extra tags {tag: (type, values)}.

    Strip offsets and byte counts are filled in; everything else is as given.
    """
    bo = ">" if big_endian else "<"
    sizes = {1: 1, 2: 1, 3: 2, 4: 4, 5: 8}
    formats = {1: "B", 2: "s", 3: "H", 4: "I", 5: "II"}
    out = bytearray((b"MM" if big_endian else b"II") + struct.pack(bo + "HI", 42, 0))
    previous_next = 4  # where the offset of the next IFD goes
    for strips, tags in pages:
        offsets = []
        for s in strips:
            offsets.append(len(out))
            out += s
            if len(out) % 2:
                out += b"\0"
        all_tags = dict(tags)
        all_tags[273] = (4, offsets)
        all_tags[279] = (4, [len(s) for s in strips])
        # Values that do not fit in 4 bytes go before the IFD.
        entries = []
        for tag in sorted(all_tags):
            kind, values = all_tags[tag]
            if kind == 2:
                data = values.encode("latin-1") + b"\0"
                count = len(data)
            else:
                flat = [v for pair in values for v in pair] if kind == 5 else list(values)
                data = struct.pack(bo + formats[kind] * len(values), *flat) if kind != 5 else struct.pack(bo + "I" * len(flat), *flat)
                count = len(values)
            if len(data) <= 4:
                field = data.ljust(4, b"\0")
            else:
                field = struct.pack(bo + "I", len(out))
                out += data
                if len(out) % 2:
                    out += b"\0"
            entries.append(struct.pack(bo + "HHI", tag, kind, count) + field)
        ifd = len(out)
        out[previous_next:previous_next + 4] = struct.pack(bo + "I", ifd)
        out += struct.pack(bo + "H", len(entries)) + b"".join(entries)
        previous_next = len(out)
        out += struct.pack(bo + "I", 0)
    path.write_bytes(bytes(out))


def gray_tags(width: int, height: int, bits: int, rows_per_strip: int, compression: int = 1,
              sample_format: int = 1) -> Dict[int, Tuple[int, Any]]:
    return {256: (4, [width]), 257: (4, [height]), 258: (3, [bits]), 259: (3, [compression]),
            262: (3, [1]), 277: (3, [1]), 278: (4, [rows_per_strip]), 339: (3, [sample_format])}


def strips_of(array: np.ndarray, rows: int) -> List[bytes]:
    return [array[y:y + rows].tobytes() for y in range(0, array.shape[0], rows)]
