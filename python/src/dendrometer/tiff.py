"""A small, strict TIFF reader for the masks Dendrometer writes.

``dendrometer analyze --save-masks`` writes gray TIFFs through libtiff: one
sample per pixel, 8/16/32-bit unsigned integers or 32-bit floats, strips,
uncompressed or Deflate (zlib), carrying ImageJ's calibration
(``ImageDescription`` ``unit=micron`` and ``XResolution`` = pixels per µm).
This module reads exactly that family of files with nothing but the standard
library and NumPy, so the package needs no ``tifffile``:

- classic TIFF and BigTIFF, either byte order;
- strips or tiles, chunky samples (``PlanarConfiguration`` 1), any number of
  pages (all of the same size when read together);
- 8, 16, 32 or 64 bits per sample, unsigned, signed or IEEE float;
- no compression, Deflate (8 or 32946, zlib streams) or PackBits (32773);
  horizontal differencing (``Predictor`` 2) for integer samples.

Anything else (LZW, JPEG, bit-packed 1/2/4-bit samples, separate planes, a
truncated strip) is refused with a :class:`TiffError` that says what was
expected and what the file holds; :func:`read_mask` then falls back to
``tifffile`` when it is installed.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Dict, List, Optional, Tuple, Union

import numpy as np
from numpy.typing import NDArray

__all__ = ["TiffError", "TiffPage", "read_mask", "read_tiff", "read_tiff_pages"]

PathLike = Union[str, Path]

# Tag numbers (TIFF 6.0, unless noted).
_IMAGE_WIDTH = 256
_IMAGE_LENGTH = 257
_BITS_PER_SAMPLE = 258
_COMPRESSION = 259
_PHOTOMETRIC = 262
_IMAGE_DESCRIPTION = 270
_STRIP_OFFSETS = 273
_SAMPLES_PER_PIXEL = 277
_ROWS_PER_STRIP = 278
_STRIP_BYTE_COUNTS = 279
_X_RESOLUTION = 282
_Y_RESOLUTION = 283
_PLANAR_CONFIGURATION = 284
_RESOLUTION_UNIT = 296
_PREDICTOR = 317
_TILE_WIDTH = 322
_TILE_LENGTH = 323
_TILE_OFFSETS = 324
_TILE_BYTE_COUNTS = 325
_SAMPLE_FORMAT = 339

# Compression codes this reader decodes.
_COMPRESSION_NONE = 1
_COMPRESSION_DEFLATE = 8
_COMPRESSION_DEFLATE_OLD = 32946
_COMPRESSION_PACKBITS = 32773
_COMPRESSION_NAMES = {
    1: "none", 2: "CCITT RLE", 3: "CCITT G3", 4: "CCITT G4", 5: "LZW", 6: "old JPEG", 7: "JPEG",
    8: "deflate", 32773: "packbits", 32946: "deflate", 34887: "LERC", 50000: "zstd", 50001: "webp",
}

# Field types: code -> (struct format character, size in bytes).
_TYPES: Dict[int, Tuple[str, int]] = {
    1: ("B", 1), 2: ("s", 1), 3: ("H", 2), 4: ("I", 4), 5: ("II", 8), 6: ("b", 1), 7: ("B", 1),
    8: ("h", 2), 9: ("i", 4), 10: ("ii", 8), 11: ("f", 4), 12: ("d", 8), 13: ("I", 4),
    16: ("Q", 8), 17: ("q", 8), 18: ("Q", 8),
}

# Pages with more pixels than this are refused before any buffer is allocated
# (2^31 samples: a 46 341 px square; no micrograph comes close).
MAXIMUM_SAMPLES = 2 ** 31
# A file with more pages than this is taken as a loop of IFD offsets.
MAXIMUM_PAGES = 100_000


class TiffError(ValueError):
    """A TIFF file this reader cannot or will not decode; the message names the file."""


@dataclass
class TiffPage:
    """One decoded page of a TIFF file.

    Attributes:
        data: the samples, shape ``(rows, columns)`` for one sample per pixel,
            else ``(rows, columns, samples)``; native byte order.
        pixel_size_um: the pixel width in µm from an ImageJ calibration
            (``unit=micron``/``um``/``nm``/``mm`` in the description and
            ``XResolution`` in pixels per unit), else ``None``.
        description: the ``ImageDescription`` text ("" when absent).
        compression: the compression code (1 none, 8 deflate, 32773 packbits).
        tags: every tag of the page as read (number -> value or tuple of values).
    """

    data: NDArray[Any]
    pixel_size_um: Optional[float]
    description: str
    compression: int
    tags: Dict[int, Any] = field(repr=False, default_factory=dict)


def read_tiff(path: PathLike, page: int = 0) -> TiffPage:
    """Reads one page (``page``, counted from 0) of a TIFF file.

    Raises:
        TiffError: the file is not a TIFF of the supported family, or is damaged
            (the message says what was expected and what was found), or has no
            such page.
        OSError: the file cannot be read.
    """
    path = Path(path)
    with open(path, "rb") as f:
        reader = _Reader(f, str(path))
        offsets = reader.page_offsets()
        if not 0 <= page < len(offsets):
            raise TiffError(f"{path}: expected a page from 0 to {len(offsets) - 1}, got {page}")
        return reader.page(offsets[page])


def read_tiff_pages(path: PathLike) -> List[TiffPage]:
    """Reads every page of a TIFF file, in order (see :func:`read_tiff`)."""
    path = Path(path)
    with open(path, "rb") as f:
        reader = _Reader(f, str(path))
        return [reader.page(o) for o in reader.page_offsets()]


def read_mask(path: PathLike, prefer_tifffile: bool = False) -> NDArray[Any]:
    """The first page of a mask TIFF as a NumPy array (shape ``(rows, columns)``).

    Dendrometer's masks are 8-bit, 0 = not set, 255 = set, in the full raster of
    the input image. The file is read by :func:`read_tiff`; when that refuses the
    file and ``tifffile`` is installed, ``tifffile`` reads it instead (with
    ``prefer_tifffile=True`` it is tried first).

    Raises:
        TiffError: the file cannot be decoded (and ``tifffile`` is absent or
            fails too).
    """
    if prefer_tifffile:
        fallback = _tifffile_read(path)
        if fallback is not None:
            return fallback
    try:
        return read_tiff(path, page=0).data
    except TiffError:
        fallback = _tifffile_read(path)
        if fallback is None:
            raise
        return fallback


def _tifffile_read(path: PathLike) -> Optional[NDArray[Any]]:
    try:
        import tifffile  # type: ignore[import-not-found]
    except ImportError:
        return None
    try:
        return np.asarray(tifffile.imread(str(path), key=0))
    except Exception:  # noqa: BLE001 - any tifffile failure means "no fallback"
        return None


class _Reader:
    """Parses the header and IFDs of one open file."""

    def __init__(self, f: BinaryIO, name: str) -> None:
        self.f = f
        self.name = name
        f.seek(0, 2)
        self.size = f.tell()
        f.seek(0)
        head = f.read(16)
        if len(head) < 8:
            raise TiffError(f"{name}: expected a TIFF header of at least 8 bytes, got {len(head)}")
        if head[:2] == b"II":
            self.bo = "<"
        elif head[:2] == b"MM":
            self.bo = ">"
        else:
            raise TiffError(f"{name}: expected a TIFF file (starting II or MM), got {head[:4]!r}")
        (magic,) = struct.unpack(self.bo + "H", head[2:4])
        if magic == 42:
            self.big = False
            (self.first,) = struct.unpack(self.bo + "I", head[4:8])
        elif magic == 43:
            if len(head) < 16:
                raise TiffError(f"{name}: expected a 16-byte BigTIFF header, got {len(head)} bytes")
            offset_size, _ = struct.unpack(self.bo + "HH", head[4:8])
            if offset_size != 8:
                raise TiffError(f"{name}: expected BigTIFF offsets of 8 bytes, got {offset_size}")
            self.big = True
            (self.first,) = struct.unpack(self.bo + "Q", head[8:16])
        else:
            raise TiffError(f"{name}: expected TIFF version 42 (or BigTIFF 43), got {magic}")

    def _read_at(self, offset: int, count: int) -> bytes:
        if offset < 0 or count < 0 or offset + count > self.size:
            raise TiffError(f"{self.name}: expected {count} bytes at offset {offset}, "
                            f"but the file has {self.size} bytes")
        self.f.seek(offset)
        return self.f.read(count)

    def page_offsets(self) -> List[int]:
        """The offset of every IFD, following the chain from the header."""
        offsets: List[int] = []
        seen = set()
        offset = self.first
        while offset != 0:
            if offset in seen or len(offsets) >= MAXIMUM_PAGES:
                raise TiffError(f"{self.name}: the chain of pages loops back to offset {offset}")
            seen.add(offset)
            offsets.append(offset)
            count_size, entry_size, next_size = (8, 20, 8) if self.big else (2, 12, 4)
            (count,) = struct.unpack(self.bo + ("Q" if self.big else "H"), self._read_at(offset, count_size))
            next_at = offset + count_size + count * entry_size
            (offset,) = struct.unpack(self.bo + ("Q" if self.big else "I"), self._read_at(next_at, next_size))
        if not offsets:
            raise TiffError(f"{self.name}: expected at least one page, got none")
        return offsets

    def tags(self, offset: int) -> Dict[int, Any]:
        """Every tag of the IFD at ``offset``: number -> value (a tuple when there are several)."""
        count_size, entry_size, inline = (8, 20, 8) if self.big else (2, 12, 4)
        (count,) = struct.unpack(self.bo + ("Q" if self.big else "H"), self._read_at(offset, count_size))
        raw = self._read_at(offset + count_size, count * entry_size)
        tags: Dict[int, Any] = {}
        for i in range(count):
            entry = raw[i * entry_size:(i + 1) * entry_size]
            if self.big:
                tag, kind, n = struct.unpack(self.bo + "HHQ", entry[:12])
                value_field = entry[12:20]
            else:
                tag, kind, n = struct.unpack(self.bo + "HHI", entry[:8])
                value_field = entry[8:12]
            if kind not in _TYPES:
                continue  # unknown field types are skipped, as TIFF 6.0 asks
            fmt, size = _TYPES[kind]
            total = size * n
            if total <= inline:
                data = value_field[:total]
            else:
                (pointer,) = struct.unpack(self.bo + ("Q" if self.big else "I"), value_field[:inline])
                data = self._read_at(pointer, total)
            if kind == 2:
                tags[tag] = data.split(b"\0", 1)[0].decode("latin-1")
                continue
            values = struct.unpack(self.bo + fmt * n, data) if fmt != "s" else (data,)
            if kind in (5, 10):
                values = tuple(values[j] / values[j + 1] if values[j + 1] else float("nan")
                               for j in range(0, len(values), 2))
            tags[tag] = values[0] if len(values) == 1 else tuple(values)
        return tags

    def page(self, offset: int) -> TiffPage:
        tags = self.tags(offset)
        name = self.name

        def need(tag: int, what: str) -> Any:
            if tag not in tags:
                raise TiffError(f"{name}: expected the {what} tag ({tag}), got none")
            return tags[tag]

        def one(value: Any) -> Any:
            return value if not isinstance(value, tuple) else value[0]

        def many(value: Any) -> Tuple[int, ...]:
            return value if isinstance(value, tuple) else (value,)

        width = int(one(need(_IMAGE_WIDTH, "ImageWidth")))
        height = int(one(need(_IMAGE_LENGTH, "ImageLength")))
        samples = int(one(tags.get(_SAMPLES_PER_PIXEL, 1)))
        bits_all = many(tags.get(_BITS_PER_SAMPLE, 1))
        if len(set(bits_all)) != 1:
            raise TiffError(f"{name}: expected the same bits for every sample, got {bits_all}")
        bits = int(bits_all[0])
        formats = many(tags.get(_SAMPLE_FORMAT, 1))
        if len(set(formats)) != 1:
            raise TiffError(f"{name}: expected one sample format for every sample, got {formats}")
        sample_format = int(formats[0])
        compression = int(one(tags.get(_COMPRESSION, _COMPRESSION_NONE)))
        planar = int(one(tags.get(_PLANAR_CONFIGURATION, 1)))
        predictor = int(one(tags.get(_PREDICTOR, 1)))

        if width <= 0 or height <= 0 or samples <= 0:
            raise TiffError(f"{name}: expected a positive size, got {width} × {height} px × {samples} samples")
        if width * height * samples > MAXIMUM_SAMPLES:
            raise TiffError(f"{name}: expected at most {MAXIMUM_SAMPLES} samples per page, "
                            f"got {width} × {height} × {samples}")
        if bits not in (8, 16, 32, 64):
            raise TiffError(f"{name}: expected 8, 16, 32 or 64 bits per sample, got {bits}")
        kinds = {1: "u", 2: "i", 3: "f"}
        if sample_format not in kinds or (sample_format == 3 and bits not in (32, 64)):
            raise TiffError(f"{name}: expected unsigned, signed or 32/64-bit float samples, "
                            f"got sample format {sample_format} with {bits} bits")
        if compression not in (_COMPRESSION_NONE, _COMPRESSION_DEFLATE, _COMPRESSION_DEFLATE_OLD,
                               _COMPRESSION_PACKBITS):
            label = _COMPRESSION_NAMES.get(compression, "unknown")
            raise TiffError(f"{name}: expected compression none, deflate or packbits, "
                            f"got {compression} ({label})")
        if planar != 1 and samples > 1:
            raise TiffError(f"{name}: expected chunky samples (PlanarConfiguration 1), got {planar}")
        if predictor not in (1, 2) or (predictor == 2 and sample_format == 3):
            raise TiffError(f"{name}: expected no predictor or horizontal differencing of integers, "
                            f"got predictor {predictor} with sample format {sample_format}")
        dtype = np.dtype(f"{self.bo}{kinds[sample_format]}{bits // 8}")

        tiled = _TILE_OFFSETS in tags or _TILE_WIDTH in tags
        if tiled:
            block_w = int(one(need(_TILE_WIDTH, "TileWidth")))
            block_h = int(one(need(_TILE_LENGTH, "TileLength")))
            offsets = many(need(_TILE_OFFSETS, "TileOffsets"))
            counts = many(need(_TILE_BYTE_COUNTS, "TileByteCounts"))
            across = -(-width // block_w) if block_w > 0 else 0
            down = -(-height // block_h) if block_h > 0 else 0
        else:
            block_w = width
            block_h = int(one(tags.get(_ROWS_PER_STRIP, height)))
            block_h = min(max(block_h, 1), height)
            offsets = many(need(_STRIP_OFFSETS, "StripOffsets"))
            counts = many(need(_STRIP_BYTE_COUNTS, "StripByteCounts"))
            across = 1
            down = -(-height // block_h)
        if block_w <= 0 or block_h <= 0:
            raise TiffError(f"{name}: expected positive tile sizes, got {block_w} × {block_h}")
        blocks = across * down
        if len(offsets) != blocks or len(counts) != blocks:
            raise TiffError(f"{name}: expected {blocks} {'tiles' if tiled else 'strips'}, got "
                            f"{len(offsets)} offsets and {len(counts)} byte counts")

        native = dtype.newbyteorder("=")
        out = np.empty((height, width, samples), dtype=native)
        row_bytes = block_w * samples * dtype.itemsize
        for index, (start, count) in enumerate(zip(offsets, counts)):
            by, bx = divmod(index, across)
            y0, x0 = by * block_h, bx * block_w
            # Strips: the last one may hold fewer rows; tiles are always whole.
            rows = min(block_h, height - y0) if not tiled else block_h
            expected = rows * row_bytes
            raw = self._read_at(int(start), int(count))
            data = _decompress(raw, compression, expected, name, index)
            if len(data) < expected:
                raise TiffError(f"{name}: expected {expected} bytes in {'tile' if tiled else 'strip'} "
                                f"{index}, got {len(data)}")
            block = np.frombuffer(data, dtype=dtype, count=rows * block_w * samples)
            block = block.reshape(rows, block_w, samples).astype(native, copy=False)
            if predictor == 2:
                block = np.cumsum(block, axis=1, dtype=native)
            y1, x1 = min(y0 + rows, height), min(x0 + block_w, width)
            out[y0:y1, x0:x1] = block[:y1 - y0, :x1 - x0]

        data_out = out
        if samples == 1:
            data_out = data_out[:, :, 0]
        description = tags.get(_IMAGE_DESCRIPTION, "")
        if not isinstance(description, str):
            description = ""
        return TiffPage(data=data_out, pixel_size_um=_imagej_pixel_size(tags, description),
                        description=description, compression=compression, tags=tags)


def _decompress(raw: bytes, compression: int, expected: int, name: str, index: int) -> bytes:
    if compression == _COMPRESSION_NONE:
        return raw
    if compression in (_COMPRESSION_DEFLATE, _COMPRESSION_DEFLATE_OLD):
        try:
            inflater = zlib.decompressobj()
            # Never inflate more than the block can hold (a hostile stream cannot balloon).
            return inflater.decompress(raw, expected)
        except zlib.error as e:
            raise TiffError(f"{name}: expected a zlib stream in block {index}, got an error: {e}") from None
    return _unpack_bits(raw, expected, name, index)


def _unpack_bits(raw: bytes, expected: int, name: str, index: int) -> bytes:
    """PackBits (TIFF 6.0 §9): header n ≥ 0 copies n + 1 bytes, −127…−1 repeats the next byte 1 − n times."""
    out = bytearray()
    i = 0
    n = len(raw)
    while i < n and len(out) < expected:
        header = raw[i]
        i += 1
        if header < 128:
            length = header + 1
            if i + length > n:
                raise TiffError(f"{name}: expected {length} literal bytes in packbits block {index}, "
                                f"got {n - i}")
            out += raw[i:i + length]
            i += length
        elif header > 128:
            if i >= n:
                raise TiffError(f"{name}: expected a byte to repeat in packbits block {index}, got the end")
            out += bytes([raw[i]]) * (257 - header)
            i += 1
        # 128 (−128) is a no-op.
    return bytes(out[:expected])


def _imagej_pixel_size(tags: Dict[int, Any], description: str) -> Optional[float]:
    """Pixel width in µm from ImageJ's ``unit=`` line and ``XResolution`` (pixels per unit)."""
    unit = None
    for line in description.splitlines():
        if line.startswith("unit="):
            unit = line[5:].strip()
    factors = {"micron": 1.0, "um": 1.0, "µm": 1.0, "\u00b5m": 1.0, "nm": 1e-3, "mm": 1e3}
    if unit not in factors:
        return None
    resolution = tags.get(_X_RESOLUTION)
    if isinstance(resolution, tuple):
        resolution = resolution[0]
    if not isinstance(resolution, float) or not resolution > 0 or resolution == float("inf"):
        return None
    return factors[unit] / resolution
