#!/usr/bin/env python3
"""Hostile-input check: no input file makes `inspect` or `analyze` blow up.

Requirement checked (from the project's issue): "No input file makes `inspect` or
`analyze` exceed 3 GB RSS or 60 s on this machine unless it really holds that many
pixels; every refusal is one line, exit 1."

    python3 tools/hostile_inputs.py --binary .build/release/dendrometer
    python3 tools/hostile_inputs.py --keep /tmp/hostile-corpus --mutants 500 --jobs 2

The script writes a corpus of hostile files (into a temporary folder, or into
--keep DIR, one subfolder per class), each named after what it is:

  header         header bombs: PNG IHDR / TIFF / BigTIFF / BMP headers claiming
                 billions of pixels over a few bytes of data, PNG chunks claiming
                 2 GB, strips and tiles past EOF, absurd tile sizes, IFD loops,
                 1000 pages, 64/128-bit samples, 65535 samples per pixel
  compression    deflate / LZW / PackBits bombs: valid 4096² images stored 100- to
                 1000-fold compressed, strips and tiles that decompress to far
                 more than they should hold, PNG IDAT / zTXt / iTXt / iCCP bombs
  metadata       a valid small image with absurd calibration numbers: FEI (tag
                 34682), Zeiss (34118), TESCAN (50431 and .hdr sidecar), ImageJ
                 XResolution, JEOL and Hitachi .txt sidecars (NaN, inf, 1e±300, 0,
                 negative, and values at the edges of the plausible 10 pm – 10 mm)
  metadata-bomb  a valid 64 × 48 TIFF whose FEI tag holds 8–80 MB of text
  truncated      every samples/*.tif and *.png cut at 10 %, 50 %, 90 %, one byte
                 short, and after the header
  mutant         seeded random byte mutations of the same samples (1–50 bytes
                 each; PNG chunk CRCs recomputed for every other mutant so that
                 libpng looks past them)
  junk           empty files, random bytes named .tif, text named .png, bare magic
                 numbers, a folder named .tif
  degenerate     valid images whose content or shape leaves nothing to measure:
                 1 × 1, 1 × 40, 40 × 1, 2 × 2, 3 × 200 and 200 × 3 px, constant,
                 checkered, split in two greys, striped or a single bright pixel,
                 as 8-bit PNG, 16-bit and float TIFF; also analysed with the phase
                 and the anode on each side given (an edge one pixel long), a grid of
                 regions, the masks saved and a preview overlay

Every file is then run through `dendrometer inspect FILE` and `dendrometer analyze
FILE --out DIR` (a fresh DIR per run; metadata files also with `--pixel-size 0.05um
--anode bottom`, degenerate ones with the option sets above) under `/usr/bin/time -f "%M %e"` and a 90 s `timeout`, at most
--jobs runs at a time. A run passes when

  * it exits 0 or 1 (never a signal, a timeout or any other status),
  * its peak RSS is at most 3 GB (3·10⁹ bytes) and its wall time at most 60 s,
  * on exit 1, stderr is exactly one non-empty line starting with "dendrometer: "
    (warnings on stderr with exit 0 are fine; so is exit 0 on a mutant).

As a safety net for the machine, a run whose process tree exceeds --rss-guard-mb
(default 6144) is killed and reported as a violation.

Prints one table per class (files, runs, exit-0 / exit-1 counts, max RSS, max wall
time) and every violation (file, command, exit status, RSS, time, first three lines
of stderr). Exit status 0 when there is no violation, 1 otherwise, 2 on bad usage.
With --keep, the results of every run are also written to DIR/results.json.

Other options: --mutants N (default 200) and --seed S, --only TEXT (run only the
files whose name contains TEXT), --generate-only (write the corpus and stop),
--rss-guard-mb MB. Needs Python 3.9+, numpy, tifffile, GNU time at /usr/bin/time
and coreutils `timeout`. Generating the corpus takes about 15 s; the runs take a
few minutes with --jobs 2 (the metadata bombs alone run for several).
"""
from __future__ import annotations

import argparse
import functools
import json
import os
import random
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import tifffile

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "samples"

RSS_LIMIT_BYTES = 3_000_000_000
WALL_LIMIT_S = 60.0
TIMEOUT_S = 90
BAD_EXIT_NAMES = {124: "timeout", 132: "SIGILL", 133: "SIGTRAP", 134: "SIGABRT", 135: "SIGBUS",
                  136: "SIGFPE", 137: "SIGKILL", 139: "SIGSEGV"}

CLASSES = ["header", "compression", "metadata", "metadata-bomb", "truncated", "mutant", "junk", "degenerate"]


# ----------------------------------------------------------------------------------------
# Codecs (written here rather than borrowed, so the bombs are exactly what they claim)
# ----------------------------------------------------------------------------------------

@functools.lru_cache(maxsize=None)
def deflate(data: bytes, extra_zeros: int = 0) -> bytes:
    """A zlib stream of `data` followed by `extra_zeros` zero bytes (fed in 1 MB pieces)."""
    enc = zlib.compressobj(9)
    out = [enc.compress(data)]
    piece = bytes(1 << 20)
    while extra_zeros > 0:
        out.append(enc.compress(piece[:min(extra_zeros, len(piece))]))
        extra_zeros -= len(piece)
    out.append(enc.flush())
    return b"".join(out)


def zlib_of_zeros(n: int) -> bytes:
    """A zlib stream that inflates to `n` zero bytes."""
    return deflate(b"", n)


def packbits_encode(data: bytes) -> bytes:
    """TIFF PackBits (compression 32773)."""
    out = bytearray()
    i, n = 0, len(data)
    while i < n:
        run = 1
        while i + run < n and run < 128 and data[i + run] == data[i]:
            run += 1
        if run >= 2:
            out += bytes([(1 - run) & 0xFF, data[i]])
            i += run
            continue
        j = i + 1
        while j < n and j - i < 128 and not (j + 1 < n and data[j] == data[j + 1]):
            j += 1
        out.append(j - i - 1)
        out += data[i:j]
        i = j
    return bytes(out)


def packbits_zeros(n: int) -> bytes:
    """PackBits runs of 128 zeros (2 bytes each) covering `n` bytes (rounded up)."""
    return b"\x81\x00" * -(-n // 128)


def _packbits_by_row(image: np.ndarray):
    """PackBits of each row of an 8-bit image (equal rows encoded once)."""
    memo: dict[bytes, bytes] = {}
    for row in image:
        raw = row.tobytes()
        if raw not in memo:
            memo[raw] = packbits_encode(raw)
        yield memo[raw]


def packbits_rows(image: np.ndarray) -> bytes:
    """PackBits of an 8-bit image, row by row as TIFF wants."""
    return b"".join(_packbits_by_row(image))


class _BitWriter:
    """MSB-first bit packer, as TIFF LZW stores its codes."""

    def __init__(self):
        self.out = bytearray()
        self.acc = 0
        self.bits = 0

    def write(self, code: int, width: int):
        self.acc = (self.acc << width) | code
        self.bits += width
        while self.bits >= 8:
            self.bits -= 8
            self.out.append((self.acc >> self.bits) & 0xFF)
        self.acc &= (1 << self.bits) - 1

    def finish(self) -> bytes:
        if self.bits:
            self.out.append((self.acc << (8 - self.bits)) & 0xFF)
        return bytes(self.out)


def lzw_encode(data: bytes) -> bytes:
    """TIFF LZW (compression 5) as libtiff writes it: Clear 256, EOI 257, codes from 258,
    9–12-bit codes (one wider as soon as the next free code needs it), a Clear when the
    table is full."""
    clear, eoi = 256, 257
    out = _BitWriter()
    width, next_code, table = 9, 258, {}

    def emit_and_grow(code: int):
        nonlocal width, next_code, table
        out.write(code, width)
        next_code += 1
        if next_code == 4094:
            out.write(clear, width)
            width, next_code, table = 9, 258, {}
        elif next_code > (1 << width) - 1:
            width += 1

    out.write(clear, width)
    prefix = None
    for byte in data:
        if prefix is None:
            prefix = byte
            continue
        key = (prefix << 8) | byte
        code = table.get(key)
        if code is not None:
            prefix = code
            continue
        table[key] = next_code
        emit_and_grow(prefix)
        prefix = byte
    if prefix is not None:
        emit_and_grow(prefix)
    out.write(eoi, width)
    return out.finish()


# ----------------------------------------------------------------------------------------
# File builders: TIFF / BigTIFF, PNG, BMP
# ----------------------------------------------------------------------------------------

BYTE, ASCII, SHORT, LONG, RATIONAL, UNDEFINED, LONG8 = 1, 2, 3, 4, 5, 7, 16
_TYPE_FMT = {SHORT: "H", LONG: "I", LONG8: "Q"}


@dataclass(frozen=True)
class Raw:
    """A TIFF entry written as given: `count` and a value/offset field that may point
    anywhere (past EOF, into itself), for entries that lie about their data."""
    count: int
    value: int


def _tiff_value(typ: int, values) -> tuple[int, bytes]:
    """(count, little-endian bytes) of an entry's values."""
    if typ in (BYTE, ASCII, UNDEFINED):
        raw = values.encode("latin-1") if isinstance(values, str) else bytes(values)
        if typ == ASCII and not raw.endswith(b"\0"):
            raw += b"\0"
        return len(raw), raw
    if typ == RATIONAL:
        return len(values), b"".join(struct.pack("<II", n, d) for n, d in values)
    return len(values), struct.pack(f"<{len(values)}{_TYPE_FMT[typ]}", *values)


def tiff(ifds: list[list[tuple]], data: bytes = b"", *, bigtiff: bool = False,
         last_next: int | str = 0, first_ifd: int | None = None) -> bytes:
    """A little-endian TIFF (or BigTIFF): header, `data` at offset ``data_offset()``,
    then each IFD (entries `(tag, type, values | Raw)`) followed by its out-of-line
    values. IFDs are chained; the last points to `last_next` (0, an offset, or "self"
    for a loop). `first_ifd` overrides the header's IFD offset."""
    word, count_fmt, entry_size = (8, "Q", 20) if bigtiff else (4, "I", 12)
    head_size = 16 if bigtiff else 8
    pos = head_size + len(data)
    pos += pos % 2
    blocks, offsets = [], []
    for entries in ifds:
        entries = sorted(entries, key=lambda e: e[0])
        ifd_size = (8 if bigtiff else 2) + entry_size * len(entries) + word
        extra = bytearray()
        body = bytearray(struct.pack("<Q" if bigtiff else "<H", len(entries)))
        for tag, typ, values in entries:
            if isinstance(values, Raw):
                count, field_bytes = values.count, struct.pack("<" + count_fmt, values.value)
            else:
                count, raw = _tiff_value(typ, values)
                if len(raw) <= word:
                    field_bytes = raw.ljust(word, b"\0")
                else:
                    field_bytes = struct.pack("<" + count_fmt, pos + ifd_size + len(extra))
                    extra += raw + b"\0" * (len(raw) % 2)
            body += struct.pack("<HH" + count_fmt, tag, typ, count) + field_bytes
        offsets.append(pos)
        blocks.append((body, extra))
        pos += ifd_size + len(extra)
    out = bytearray(b"II+\0" + struct.pack("<HHQ", 8, 0, first_ifd or offsets[0]) if bigtiff
                    else b"II*\0" + struct.pack("<I", offsets[0] if first_ifd is None else first_ifd))
    out += data
    out += b"\0" * (len(out) % 2)
    for i, (body, extra) in enumerate(blocks):
        if i + 1 < len(blocks):
            nxt = offsets[i + 1]
        else:
            nxt = offsets[i] if last_next == "self" else last_next
        out += body + struct.pack("<" + count_fmt, nxt) + extra
    return bytes(out)


def data_offset(bigtiff: bool = False) -> int:
    """Where `tiff()` puts its `data`."""
    return 16 if bigtiff else 8


def pack_chunks(chunks: list[bytes], base: int, share: bool = True) -> tuple[bytes, list[int], list[int]]:
    """Lays strips/tiles out from `base`: (data, offsets, byte counts). With `share`, equal
    chunks are stored once and share one offset (TIFF allows it)."""
    data, where, offsets, counts = bytearray(), {}, [], []
    for chunk in chunks:
        if chunk not in where or not share:
            where[chunk] = base + len(data)
            data += chunk
        offsets.append(where[chunk])
        counts.append(len(chunk))
    return bytes(data), offsets, counts


def image_tiff(width: int, height: int, chunks: list[bytes], *, tile: tuple[int, int] | None = None,
               rows_per_strip: int | None = None, compression: int = 1, bits: int = 8,
               samples: int = 1, sample_format: int = 1, photometric: int = 1, extra: list[tuple] = (),
               offsets=None, counts=None, pages: int = 1, last_next: int | str = 0,
               bigtiff: bool = False, share: bool = True) -> bytes:
    """A gray (or `samples`-channel) image in strips or tiles (equal ones stored once
    unless `share` is off). `offsets` / `counts` replace the true StripOffsets /
    StripByteCounts (a list, or a Raw entry). BitsPerSample is written once per
    sample up to 4 (so files with more samples also lie about its count)."""
    data, true_offsets, true_counts = pack_chunks(chunks, data_offset(bigtiff), share)
    offsets = true_offsets if offsets is None else offsets
    counts = true_counts if counts is None else counts
    pointer = LONG8 if bigtiff else LONG
    entries = [(256, LONG, [width]), (257, LONG, [height]), (258, SHORT, [bits] * min(samples, 4)),
               (259, SHORT, [compression]), (262, SHORT, [photometric]), (277, SHORT, [samples]),
               (339, SHORT, [sample_format])]
    if tile:
        entries += [(322, LONG, [tile[0]]), (323, LONG, [tile[1]]), (324, pointer, offsets), (325, pointer, counts)]
    else:
        entries += [(273, pointer, offsets), (278, LONG, [height if rows_per_strip is None else rows_per_strip]), (279, pointer, counts)]
    entries += list(extra)
    return tiff([entries] * pages, data, bigtiff=bigtiff, last_next=last_next)


def png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
EMPTY_ZLIB = b"\x78\x9c\x03\x00\x00\x00\x00\x01"


def png(width: int, height: int, depth: int, colour: int, idat: bytes, extra: list[bytes] = ()) -> bytes:
    """A PNG with the given IHDR, ancillary `extra` chunks (already framed) and one IDAT."""
    ihdr = struct.pack(">IIBBBBB", width, height, depth, colour, 0, 0, 0)
    return (PNG_SIGNATURE + png_chunk(b"IHDR", ihdr) + b"".join(extra)
            + png_chunk(b"IDAT", idat) + png_chunk(b"IEND", b""))


def fix_png_crcs(data: bytearray) -> bool:
    """Recomputes every chunk CRC of a (mutated) PNG while its chunk framing still
    holds; True when at least one chunk was visited."""
    pos, fixed = 8, False
    while pos + 12 <= len(data):
        length = struct.unpack_from(">I", data, pos)[0]
        end = pos + 8 + length
        if end + 4 > len(data):
            break
        struct.pack_into(">I", data, end, zlib.crc32(bytes(data[pos + 4:end])))
        fixed, pos = True, end + 4
    return fixed


def bmp(width: int, height: int, bits: int = 8, pixels: bytes = b"", *, header_size: int = 40,
        compression: int = 0, palette: int = 0, pixel_offset: int | None = None) -> bytes:
    """A Windows BMP with BITMAPINFOHEADER fields as given (gray palette for ≤ 8 bits)."""
    colours = palette or (1 << bits if bits <= 8 else 0)
    table = b"".join(bytes([i * 255 // max(1, colours - 1)] * 3) + b"\0" for i in range(min(colours, 256)))
    offset = 14 + 40 + len(table) if pixel_offset is None else pixel_offset
    info = struct.pack("<IiiHHIIiiII", header_size, width, height, 1, bits, compression, len(pixels),
                       2835, 2835, palette, 0)
    return b"BM" + struct.pack("<IHHI", 14 + len(info) + len(table) + len(pixels), 0, 0, offset) + info + table + pixels


# ----------------------------------------------------------------------------------------
# Corpus
# ----------------------------------------------------------------------------------------

@dataclass
class Case:
    kind: str
    path: Path
    metadata: bool = False  # also analyse with --pixel-size 0.05um --anode bottom
    degenerate: bool = False  # also analyse with DEGENERATE_OPTIONS


class Corpus:
    """The files written so far, each a `Case`, under ROOT/<class>/<name>."""

    def __init__(self, root: Path):
        self.root = root
        self.cases: list[Case] = []

    def add(self, kind: str, name: str, data: bytes | None = None, *, copy_of: Path | None = None) -> Path:
        folder = self.root / kind
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / name
        if copy_of is not None:
            shutil.copyfile(copy_of, path)
        else:
            path.write_bytes(data)
        self.cases.append(Case(kind, path, metadata=kind == "metadata", degenerate=kind == "degenerate"))
        return path

    def sidecar(self, image: Path, suffix: str, text: str | bytes):
        """A metadata sidecar next to `image` (same stem); not a case itself."""
        raw = text.encode("latin-1") if isinstance(text, str) else text
        image.with_suffix(suffix).write_bytes(raw)


def header_bombs(c: Corpus):
    k = "header"
    # PNG: IHDR claims, a few bytes of (empty) IDAT; CRCs valid.
    for name, w, h, depth, colour in [
        ("png_ihdr_2e9x1_rgba16.png", 2_000_000_000, 1, 16, 6),
        ("png_ihdr_1x2e9_gray8.png", 1, 2_000_000_000, 8, 0),
        ("png_ihdr_2147483647x1_gray1.png", 2**31 - 1, 1, 1, 0),
        ("png_ihdr_40000x40000_gray8.png", 40_000, 40_000, 8, 0),
        ("png_ihdr_65535x65535_gray8.png", 65_535, 65_535, 8, 0),
        ("png_ihdr_65535x65535_rgba16.png", 65_535, 65_535, 16, 6),
        ("png_ihdr_14000x14000_gray8_under_cap.png", 14_000, 14_000, 8, 0),
        ("png_ihdr_0x0.png", 0, 0, 8, 0),
        ("png_ihdr_4294967295sq.png", 2**32 - 1, 2**32 - 1, 8, 0),
    ]:
        c.add(k, name, png(w, h, depth, colour, EMPTY_ZLIB))
    zero_crc = bytearray(png(2_000_000_000, 1, 16, 6, EMPTY_ZLIB))
    zero_crc[29:33] = b"\0\0\0\0"
    c.add(k, "png_ihdr_2e9x1_rgba16_bad_crc.png", bytes(zero_crc))
    # PNG chunks claiming 2³¹-1 bytes (the most PNG allows) in a ~100-byte file.
    valid = png(64, 48, 8, 0, deflate(png_rows(small_micrograph())))
    for kind in [b"IDAT", b"tEXt", b"zTXt", b"iCCP", b"iTXt", b"abCd"]:
        c.add(k, f"png_{kind.decode()}_chunk_len_2g.png", valid[:33] + struct.pack(">I", 2**31 - 1) + kind + bytes(64))
    c.add(k, "png_IHDR_chunk_len_2g.png", PNG_SIGNATURE + struct.pack(">I", 2**31 - 1) + b"IHDR" + bytes(64))

    # TIFF strips: 100000² (over the pixel cap) and 14000² (under it) over a few bytes.
    few = bytes(range(16))
    for side in (100_000, 14_000):
        c.add(k, f"tiff_strip_{side}sq_none_16bytes.tif", image_tiff(side, side, [few]))
        c.add(k, f"tiff_strip_{side}sq_deflate_empty.tif", image_tiff(side, side, [EMPTY_ZLIB], compression=8))
        c.add(k, f"tiff_strip_{side}sq_lzw_empty.tif", image_tiff(side, side, [lzw_encode(b"")], compression=5))
        c.add(k, f"tiff_strip_{side}sq_packbits_16bytes.tif",
              image_tiff(side, side, [packbits_zeros(16)], compression=32773))
    c.add(k, "tiff_strip_4096sq_rps1_none_16bytes.tif",
          image_tiff(4096, 4096, [few] * 4096, rows_per_strip=1))

    # Tiled: tiny deflate tiles (all sharing one 65536-byte-zeros stream, or empty).
    tile_zeros = zlib_of_zeros(256 * 256)
    c.add(k, "tiff_tiled_44000sq_deflate_tiny_tiles.tif",
          image_tiff(44_000, 44_000, [tile_zeros] * (172 * 172), tile=(256, 256), compression=8))
    c.add(k, "tiff_tiled_12000sq_deflate_empty_tiles.tif",
          image_tiff(12_000, 12_000, [EMPTY_ZLIB] * (47 * 47), tile=(256, 256), compression=8))
    c.add(k, "tiff_tile_65536x65536_on_32sq.tif",
          image_tiff(32, 32, [bytes(1024)], tile=(65_536, 65_536)))
    c.add(k, "tiff_tile_268435472x16_on_32sq.tif",
          image_tiff(32, 32, [bytes(1024)] * 2, tile=(0x1000_0010, 16)))
    c.add(k, "tiff_tile_4096x4096_on_32sq_1kb.tif",
          image_tiff(32, 32, [bytes(1024)], tile=(4096, 4096)))
    c.add(k, "tiff_tile_0x0.tif", image_tiff(32, 32, [bytes(1024)], tile=(0, 0)))

    # Offsets and byte counts that point past the end of the file.
    c.add(k, "tiff_strip_offset_past_eof_4096sq.tif",
          image_tiff(4096, 4096, [b""], offsets=[0xFFFF_FF00], counts=[4096 * 4096]))
    c.add(k, "tiff_strip_bytecount_4g_4096sq.tif",
          image_tiff(4096, 4096, [few], counts=[0xFFFF_FFFF]))
    c.add(k, "tiff_strip_bytecount_4g_deflate_4096sq.tif",
          image_tiff(4096, 4096, [EMPTY_ZLIB], compression=8, counts=[0xFFFF_FFFF]))
    c.add(k, "tiff_strips_bytecount_4g_x256_deflate_4096sq.tif",
          image_tiff(4096, 4096, [EMPTY_ZLIB] * 256, rows_per_strip=16, compression=8, counts=[0xFFFF_FFFF] * 256))
    c.add(k, "tiff_strip_offsets_array_past_eof.tif",
          image_tiff(4096, 4096, [few], rows_per_strip=16, offsets=Raw(256, 0x7FFF_0000),
                     counts=Raw(256, 0x7FFF_8000)))
    c.add(k, "tiff_strip_bytecount_0_64x48.tif", image_tiff(64, 48, [bytes(64 * 48)], counts=[0]))
    c.add(k, "tiff_ifd_offset_past_eof.tif", tiff([[(256, LONG, [64])]], first_ifd=0xFFFF_FFF0))
    c.add(k, "tiff_ifd_65535_entries_truncated.tif", b"II*\0\x08\0\0\0\xff\xff" + bytes(100))
    c.add(k, "tiff_fei_tag_count_2g_past_eof.tif",
          image_tiff(64, 48, [bytes(64 * 48)], extra=[(34682, ASCII, Raw(0x7FFF_FFFF, 0x100))]))
    c.add(k, "tiff_no_strips_64x48.tif",
          tiff([[(256, LONG, [64]), (257, LONG, [48]), (258, SHORT, [8]), (262, SHORT, [1])]]))

    # IFD chains: loops and many pages.
    ramp = [bytes(range(256)) * 12]  # 64 × 48 px
    c.add(k, "tiff_ifd_loop_self.tif", image_tiff(64, 48, ramp, last_next="self"))
    c.add(k, "tiff_ifd_loop_second_to_itself.tif", image_tiff(64, 48, ramp, pages=2, last_next="self"))
    looped = bytearray(image_tiff(64, 48, ramp, pages=2))
    first = struct.unpack_from("<I", looped, 4)[0]
    last_ifd = len(looped) - 4  # the last IFD's next pointer is the file's last word (no extra values)
    struct.pack_into("<I", looped, last_ifd, first)
    c.add(k, "tiff_ifd_loop_back_to_first.tif", bytes(looped))
    c.add(k, "tiff_1000_pages.tif", image_tiff(64, 48, ramp, pages=1000))

    # Sample layout out of range.
    for name, bits, fmt in [("tiff_bps64_uint.tif", 64, 1), ("tiff_bps128_uint.tif", 128, 1),
                            ("tiff_bps128_float.tif", 128, 3), ("tiff_bps16_float.tif", 16, 3),
                            ("tiff_bps0.tif", 0, 1), ("tiff_bps65535.tif", 65_535, 1)]:
        c.add(k, name, image_tiff(64, 48, [bytes(64 * 48 * min(max(1, bits), 128) // 8)], bits=bits, sample_format=fmt))
    c.add(k, "tiff_bps64_float_nan_inf.tif",
          image_tiff(64, 48, [np.tile(np.array([np.nan, np.inf, -np.inf, 1e308]), 64 * 12).tobytes()],
                     bits=64, sample_format=3))
    c.add(k, "tiff_spp65535.tif", image_tiff(64, 48, [bytes(64 * 48)], samples=65_535))
    c.add(k, "tiff_spp65535_rgb.tif", image_tiff(64, 48, [bytes(64 * 48)], samples=65_535, photometric=2))
    c.add(k, "tiff_sampleformat_7.tif", image_tiff(64, 48, [bytes(64 * 48)], sample_format=7))
    c.add(k, "tiff_palette_no_colormap.tif", image_tiff(64, 48, [bytes(64 * 48)], photometric=3))
    c.add(k, "tiff_photometric_cmyk_1spp.tif", image_tiff(64, 48, [bytes(64 * 48)], photometric=5))
    c.add(k, "tiff_ycbcr_4096sq_deflate_empty.tif",
          image_tiff(4096, 4096, [EMPTY_ZLIB], samples=3, photometric=6, compression=8))
    c.add(k, "tiff_rowsperstrip_0.tif", image_tiff(64, 48, ramp, rows_per_strip=0))
    c.add(k, "tiff_unknown_compression_4096sq.tif", image_tiff(4096, 4096, [few], compression=65_000))

    # BigTIFF.
    c.add(k, "bigtiff_100000sq_16bytes.tif", image_tiff(100_000, 100_000, [few], bigtiff=True))
    c.add(k, "bigtiff_ifd_offset_past_eof.tif", tiff([[(256, LONG, [64])]], bigtiff=True, first_ifd=2**62))
    c.add(k, "bigtiff_strip_offset_2p62_4096sq.tif",
          image_tiff(4096, 4096, [few], bigtiff=True, offsets=[2**62], counts=[2**62]))

    # BMP (the tool reads uncompressed BMP).
    c.add(k, "bmp_2e9x1_8bit_no_pixels.bmp", bmp(2_000_000_000, 1))
    c.add(k, "bmp_14000x14000_8bit_no_pixels.bmp", bmp(14_000, 14_000))
    c.add(k, "bmp_65535x65535_32bit_no_pixels.bmp", bmp(65_535, 65_535, 32))
    c.add(k, "bmp_height_int32_min.bmp", bmp(16, -2**31))
    c.add(k, "bmp_width_negative.bmp", bmp(-16, 16, pixels=bytes(256)))
    c.add(k, "bmp_header_size_4g.bmp", bmp(16, 16, header_size=0xFFFF_FFFF, pixels=bytes(256)))
    c.add(k, "bmp_pixel_offset_4g.bmp", bmp(16, 16, pixel_offset=0xFFFF_FFFF, pixels=bytes(256)))
    c.add(k, "bmp_palette_count_4g.bmp", bmp(16, 16, palette=0xFFFF_FFFF, pixels=bytes(256)))
    c.add(k, "bmp_rle8_14000sq.bmp", bmp(14_000, 14_000, compression=1, pixels=b"\xff\x00" * 64))
    c.add(k, "bmp_bits_64.bmp", bmp(16, 16, bits=64, pixels=bytes(2048)))


def micrograph(side: int) -> np.ndarray:
    """side² 8-bit BSE-like scene without noise, so that it compresses ~1000-fold and
    its strips and tiles repeat: dark electrolyte, a bright anode band at the bottom,
    bright fingers of three heights growing from it (edges on multiples of 256 rows)."""
    img = np.full((side, side), 60, np.uint8)
    anode = side - side // 8
    img[anode:] = 200
    for i, x in enumerate(range(side // 24, side - 32, side // 12)):
        img[anode - 256 * (1 + i % 3):anode, x:x + 24] = 190
    return img


def strips(image: np.ndarray, rows: int, encode, overflow: int = 0) -> list[bytes]:
    """`image` cut into strips of `rows` rows, each encoded by `encode(block, overflow)`
    (equal strips encoded once)."""
    blocks = [image[y:y + rows] for y in range(0, image.shape[0], rows)]
    return _encode_blocks(blocks, encode, overflow)


def tiles(image: np.ndarray, size: int, encode, overflow: int = 0) -> list[bytes]:
    """`image` cut into size² tiles (row-major), each encoded as in ``strips``."""
    blocks = [image[y:y + size, x:x + size] for y in range(0, image.shape[0], size)
              for x in range(0, image.shape[1], size)]
    return _encode_blocks(blocks, encode, overflow)


def _encode_blocks(blocks: list[np.ndarray], encode, overflow: int) -> list[bytes]:
    memo: dict[bytes, bytes] = {}
    out = []
    for block in blocks:
        key = block.tobytes()
        if key not in memo:
            memo[key] = encode(np.ascontiguousarray(block), overflow)
        out.append(memo[key])
    return out


# Block encoders for ``strips`` / ``tiles``: the block's pixels, then `extra` zero bytes
# (a stream that decodes to more than the block should hold).
def deflate_block(block: np.ndarray, extra: int = 0) -> bytes:
    return deflate(block.tobytes(), extra)


def lzw_block(block: np.ndarray, extra: int = 0) -> bytes:
    return lzw_encode(block.tobytes() + bytes(extra))


def packbits_block(block: np.ndarray, extra: int = 0) -> bytes:
    return packbits_rows(block) + packbits_zeros(extra)


def png_rows(image: np.ndarray) -> bytes:
    """Filter byte 0 + row, for every row of an 8-bit gray image."""
    return b"".join(b"\0" + row.tobytes() for row in image)


def compression_bombs(c: Corpus):
    k = "compression"
    side = 4096
    scene = micrograph(side)
    # Valid 4096² images (16.7 Mpx, within every limit) stored 100- to 1000-fold compressed:
    # they really hold their pixels and must be analysed within the limits.
    c.add(k, "tiff_deflate_4096sq_1strip_1000x.tif",
          image_tiff(side, side, [deflate(scene.tobytes())], compression=8))
    c.add(k, "tiff_deflate_4096sq_256strips.tif",
          image_tiff(side, side, strips(scene, 16, deflate_block), rows_per_strip=16, compression=8, share=False))
    c.add(k, "tiff_deflate_4096sq_256strips_shared.tif",
          image_tiff(side, side, strips(scene, 16, deflate_block), rows_per_strip=16, compression=8))
    c.add(k, "tiff_lzw_4096sq_16strips.tif",
          image_tiff(side, side, strips(scene, 256, lzw_block), rows_per_strip=256, compression=5))
    c.add(k, "tiff_packbits_4096sq_1strip.tif",
          image_tiff(side, side, [packbits_rows(scene)], compression=32773))
    c.add(k, "tiff_deflate_4096sq_tiled_256.tif",
          image_tiff(side, side, tiles(scene, 256, deflate_block), tile=(256, 256), compression=8, share=False))
    rgb16 = np.repeat(scene.astype(np.uint16)[:, :, None] * 257, 3, axis=2)
    c.add(k, "tiff_deflate_4096sq_rgb16_1strip.tif",
          image_tiff(side, side, [deflate(rgb16.tobytes())], compression=8, bits=16, samples=3, photometric=2))
    c.add(k, "tiff_deflate_4096sq_float64_1strip.tif",
          image_tiff(side, side, [deflate(scene.astype(np.float64).tobytes())], compression=8, bits=64,
                     sample_format=3))

    # Strips and tiles whose streams hold the right pixels and then decode to far more than
    # the strip or tile should hold (64 KB each).
    c.add(k, "tiff_deflate_4096sq_strips_inflate_to_64mb_each.tif",
          image_tiff(side, side, strips(scene, 16, deflate_block, 64 << 20), rows_per_strip=16, compression=8))
    c.add(k, "tiff_lzw_4096sq_strips_decode_to_1mb_each.tif",
          image_tiff(side, side, strips(scene, 16, lzw_block, 1 << 20), rows_per_strip=16, compression=5))
    c.add(k, "tiff_packbits_4096sq_strips_decode_to_16mb_each.tif",
          image_tiff(side, side, strips(scene, 16, packbits_block, 16 << 20), rows_per_strip=16,
                     compression=32773))
    c.add(k, "tiff_deflate_4096sq_tiles_inflate_to_64mb_each.tif",
          image_tiff(side, side, tiles(scene, 256, deflate_block, 64 << 20), tile=(256, 256), compression=8))
    c.add(k, "tiff_deflate_64x48_strip_inflates_to_256mb.tif",
          image_tiff(64, 48, [deflate(small_micrograph().tobytes(), 256 << 20)], compression=8))
    c.add(k, "tiff_packbits_64x48_runs_cross_rows.tif",
          image_tiff(64, 48, [packbits_zeros(64 * 48 * 1000)], compression=32773))

    # PNG: a valid 4096² image 1000-fold compressed; an IDAT far longer than the image;
    # text and ICC profile chunks that inflate to 256 MB; 100 000 text chunks.
    c.add(k, "png_4096sq_gray8_1000x.png", png(side, side, 8, 0, deflate(png_rows(scene))))
    small = png_rows(small_micrograph())
    c.add(k, "png_64x48_idat_inflates_to_256mb.png", png(64, 48, 8, 0, deflate(small, 256 << 20)))
    bomb = zlib_of_zeros(256 << 20)
    for name, chunk in [("ztxt", png_chunk(b"zTXt", b"Comment\0\0" + bomb)),
                        ("itxt", png_chunk(b"iTXt", b"Comment\0\x01\0\0\0" + bomb)),
                        ("iccp", png_chunk(b"iCCP", b"icc\0\0" + bomb))]:
        c.add(k, f"png_64x48_{name}_inflates_to_256mb.png", png(64, 48, 8, 0, deflate(small), [chunk]))
    many = [png_chunk(b"tEXt", b"k%d\0v" % i) for i in range(100_000)]
    c.add(k, "png_64x48_100k_text_chunks.png", png(64, 48, 8, 0, deflate(small), many))


def small_micrograph() -> np.ndarray:
    """64 × 48 8-bit BSE-like image: dark electrolyte, bright anode band at the
    bottom, a few bright fingers growing up from it, mild noise."""
    rng = np.random.default_rng(1)
    img = np.full((48, 64), 60.0)
    img[40:, :] = 200
    for x, top in [(8, 12), (22, 25), (37, 5), (52, 30)]:
        img[top:40, x:x + 3] = 190
    img += rng.normal(0, 8, img.shape)
    return np.clip(img, 0, 255).astype(np.uint8)


def metadata_absurd(c: Corpus):
    k = "metadata"
    pixels = small_micrograph().tobytes()

    def small(name: str, extra: list[tuple]):
        c.add(k, name, image_tiff(64, 48, [pixels], extra=extra))

    fei_base = "[Scan]\r\nPixelWidth={pw}\r\n[Image]\r\nResolutionX=1e300\r\nResolutionY=9.3e18\r\n"
    for label, pw in [("1e-300", "1e-300"), ("1e308", "1e308"), ("nan", "nan"), ("inf", "inf"),
                      ("neg5e-8", "-5e-8"), ("0", "0"), ("hex", "0x1p-30"), ("empty", "")]:
        small(f"fei_pw_{label}_resx_1e300_resy_9.3e18.tif", [(34682, ASCII, fei_base.format(pw=pw))])
    sane = "[Scan]\r\nPixelWidth={pw}\r\nPixelHeight={ph}\r\n[Image]\r\nResolutionX={rx}\r\nResolutionY={ry}\r\n"
    for label, pw, ph, rx, ry in [
        ("pw_10pm_edge", "1e-11", "1e-11", 64, 40), ("pw_10mm_edge", "1e-2", "1e-2", 64, 40),
        ("ph_1e300", "5e-8", "1e300", 64, 40), ("ph_1e-300", "5e-8", "1e-300", 64, 40),
        ("resy_1", "5e-8", "5e-8", 64, 1), ("resx_1048576", "5e-8", "5e-8", 1_048_576, 40),
        ("resx_1", "5e-8", "5e-8", 1, 1_048_576), ("resy_neg", "5e-8", "5e-8", 64, -40),
    ]:
        small(f"fei_{label}.tif", [(34682, ASCII, sane.format(pw=pw, ph=ph, rx=rx, ry=ry))])
    # The same at the plausible edges, on the real FEI sample (768 × 619): lengths in µm become
    # millions of pixels (min area, pore size, spur length).
    with tifffile.TiffFile(SAMPLES / "li-in_fig3_fei.tif") as t:
        tag = t.pages[0].tags[34682]  # tifffile parses the INI; the raw text is wanted here
        fei_pixels = t.pages[0].asarray()
        t.filehandle.seek(tag.valueoffset)
        fei_text = t.filehandle.read(tag.count).rstrip(b"\0").decode("latin-1")
    height, width = fei_pixels.shape
    for label, value in [("10pm", "1e-11"), ("10mm", "1e-2"), ("1e-300", "1e-300")]:
        text = "\r\n".join(f"PixelWidth={value}" if line.startswith(("PixelWidth=", "PixelHeight="))
                           else line for line in fei_text.splitlines())
        c.add(k, f"fei_sample_pw_{label}.tif",
              image_tiff(width, height, [fei_pixels.tobytes()], extra=[(34682, ASCII, text)]))
    # Zeiss CZ_SEM.
    for label, value in [("1e300_m", "1e300 m"), ("1e-300_m", "1e-300 m"), ("nan_nm", "nan nm"),
                         ("inf_um", "inf \xb5m"), ("neg_um", "-2.6 \xb5m"), ("10pm_edge", "10 pm"),
                         ("10mm_edge", "10 mm"), ("no_unit", "2.615")]:
        small(f"zeiss_pixel_size_{label}.tif",
              [(34118, ASCII, f"AP_IMAGE_PIXEL_SIZE\r\nImage Pixel Size = {value}\r\n")])
    small("zeiss_width_1e300_m.tif", [(34118, ASCII, "AP_WIDTH\r\nWidth = 1e300 m\r\n")])
    small("zeiss_width_1e-300_m.tif", [(34118, ASCII, "AP_WIDTH\r\nWidth = 1e-300 m\r\n")])

    # ImageJ: ImageDescription unit=micron, XResolution px per micron as a TIFF rational.
    desc = (270, ASCII, "ImageJ=1.54f\nunit=micron\n")
    for label, x, y in [("4294967295_over_1", (4_294_967_295, 1), (4_294_967_295, 1)),
                        ("1_over_4294967295", (1, 4_294_967_295), (1, 4_294_967_295)),
                        ("0_over_0", (0, 0), (0, 0)), ("1_over_0", (1, 0), (1, 0)),
                        ("x_sane_y_1_over_4294967295", (20, 1), (1, 4_294_967_295)),
                        ("100000_over_1_edge", (100_000, 1), (100_000, 1))]:
        small(f"imagej_xres_{label}.tif", [desc, (282, RATIONAL, [x]), (283, RATIONAL, [y]), (296, SHORT, [1])])

    # TESCAN: tag 50431 and `.hdr` sidecar, [MAIN] PixelSizeX/Y in metres.
    for label, x, y in [("1e-170", "1e-170", "1e-170"), ("x_10pm_y_1e300", "1e-11", "1e300"),
                        ("nan", "nan", "nan"), ("1e300", "1e300", "1e300")]:
        small(f"tescan_tag_{label}.tif", [(50431, UNDEFINED, f"\x00\x01binary[MAIN]\r\nPixelSizeX={x}\r\nPixelSizeY={y}\r\n")])
        image = c.add(k, f"tescan_hdr_{label}.tif", image_tiff(64, 48, [pixels]))
        c.sidecar(image, ".hdr", f"[MAIN]\r\nPixelSizeX={x}\r\nPixelSizeY={y}\r\n")

    # JEOL and Hitachi `.txt` sidecars beside a copy of the JEOL sample (640 × 550).
    jeol_png = SAMPLES / "li-in_fig3_jeol_left.png"
    real = (SAMPLES / "li-in_fig3_jeol_left.txt").read_text(encoding="latin-1")

    def jeol(label: str, **fields):
        text = real
        for key, value in fields.items():
            text = "\r\n".join(f"{key} {value}" if line.split(" ")[0] == key else line
                               for line in text.splitlines()) + "\r\n"
        image = c.add(k, f"jeol_{label}.png", copy_of=jeol_png)
        c.sidecar(image, ".txt", text)

    jeol("full_size_1e300x960", **{"$CM_FULL_SIZE": "1e300 960"})
    jeol("full_size_640x1e300", **{"$CM_FULL_SIZE": "640 1e300"})
    jeol("full_size_640x1", **{"$CM_FULL_SIZE": "640 1"})
    jeol("full_size_1048576x1", **{"$CM_FULL_SIZE": "1048576 1"})
    jeol("full_size_neg", **{"$CM_FULL_SIZE": "-640 -512"})
    jeol("marker_0", **{"$$SM_MICRON_MARKER": "0"})
    jeol("bar_0", **{"$$SM_MICRON_BAR": "0"})
    jeol("marker_1e308um_bar_1e-300", **{"$$SM_MICRON_MARKER": "1e308um", "$$SM_MICRON_BAR": "1e-300"})
    jeol("marker_nan_um", **{"$$SM_MICRON_MARKER": "nanum"})
    jeol("marker_10pm_edge", **{"$$SM_MICRON_MARKER": "0.00001um", "$$SM_MICRON_BAR": "1"})
    jeol("marker_10mm_edge", **{"$$SM_MICRON_MARKER": "10mm", "$$SM_MICRON_BAR": "1"})
    image = c.add(k, "jeol_sidecar_1mb_of_lines.png", copy_of=jeol_png)
    c.sidecar(image, ".txt", ("$CM_FULL_SIZE 1e300 1e300\n" * 40_000)[: (1 << 20) - len(real)] + real)
    image = c.add(k, "jeol_sidecar_over_1mb.png", copy_of=jeol_png)
    c.sidecar(image, ".txt", real + "$CM_COMMENT " + "x" * (2 << 20) + "\n")

    hitachi = "[SemImageFile]\r\nInstructName=S-4800\r\nPixelSize={ps}\r\nDataSize={ds}\r\n"
    for label, ps, ds in [("datasize_1e300x960", "24.8", "1e300x960"), ("pixelsize_1e-300", "1e-300", "640x512"),
                          ("pixelsize_1e300", "1e300", "640x512"), ("pixelsize_nan", "nan", "640x512"),
                          ("datasize_640x1", "200", "640x1"), ("datasize_1048576x1048576", "200", "1048576x1048576"),
                          ("pixelsize_10pm_edge", "0.01", "640x512"), ("datasize_0x0", "200", "0x0")]:
        image = c.add(k, f"hitachi_{label}.png", copy_of=jeol_png)
        c.sidecar(image, ".txt", hitachi.format(ps=ps, ds=ds))


def metadata_bombs(c: Corpus):
    """Valid 64 × 48 TIFFs with a huge FEI tag. TIFF tags have no size limit of their own
    (sidecars stop at 1 MB), and such a file does not "really hold" what the tag costs."""
    k = "metadata-bomb"
    pixels = small_micrograph().tobytes()
    sections = "".join(f"[S{i}]\r\nPixelWidth=1e300\r\nResolutionY=1e300\r\nKey{i}={'x' * 20}\r\n"
                       for i in range(100_000))
    keys = "".join(f"K{i}=1\r\n" for i in range((80 << 20) // 11))
    for name, text in [("fei_tag_8mb_ini_100k_sections.tif", sections + "[Scan]\r\nPixelWidth=5e-8\r\n"),
                       ("fei_tag_48mb_of_cr.tif", "[Scan]" + "\r" * (48 << 20)),
                       ("fei_tag_80mb_ini_keys.tif", "[Scan]\r\n" + keys)]:
        c.add(k, name, image_tiff(64, 48, [pixels], extra=[(34682, ASCII, text)]))


def sample_files() -> list[Path]:
    return sorted(SAMPLES.glob("*.tif")) + sorted(SAMPLES.glob("*.png"))


def truncated(c: Corpus):
    for src in sample_files():
        data = src.read_bytes()
        header = 33 if data.startswith(PNG_SIGNATURE) else 8  # PNG signature + IHDR; TIFF header
        for label, cut in [("10pct", len(data) // 10), ("50pct", len(data) // 2), ("90pct", len(data) * 9 // 10),
                           ("minus1byte", len(data) - 1), ("header_only", header)]:
            c.add("truncated", f"trunc_{label}_{src.name}", data[:cut])


INTERESTING_BYTES = [0x00, 0xFF, 0x7F, 0x80, 0x01, 0xFE]


def mutants(c: Corpus, count: int, seed: int):
    """`count` mutants, round-robin over the samples: 1–50 bytes each replaced, half of
    them in the first 4 KB (PNG header, TIFF header), a quarter in the last 4 KB (TIFF
    IFD and tag values), a quarter anywhere."""
    rng = random.Random(seed)
    sources = sample_files()
    for i in range(count):
        src = sources[i % len(sources)]
        data = bytearray(src.read_bytes())
        flips = rng.randint(1, 50)
        for _ in range(flips):
            r, span = rng.random(), min(len(data), 4096)
            pos = (rng.randrange(span) if r < 0.5 else len(data) - 1 - rng.randrange(span) if r < 0.75
                   else rng.randrange(len(data)))
            data[pos] = rng.choice(INTERESTING_BYTES) if rng.random() < 0.3 else data[pos] ^ rng.randrange(1, 256)
        crc = data.startswith(PNG_SIGNATURE) and i % 2 == 1 and fix_png_crcs(data)
        c.add("mutant", f"mut{i:03d}_{src.stem}_{flips}bytes{'_crcfixed' if crc else ''}{src.suffix}", bytes(data))


def junk(c: Corpus):
    k = "junk"
    rng = random.Random(99)
    c.add(k, "empty.tif", b"")
    c.add(k, "empty.png", b"")
    c.add(k, "random_1mb.tif", rng.randbytes(1 << 20))
    c.add(k, "text_named.png", b"This is not a PNG.\nIt is a text file with a .png name.\n" * 20)
    c.add(k, "tiff_magic_then_random_64kb.tif", b"II*\0" + rng.randbytes(65_532))
    c.add(k, "tiff_magic_big_endian_then_random.tif", b"MM\0*" + rng.randbytes(4096))
    c.add(k, "bigtiff_magic_then_random.tif", b"II+\0" + rng.randbytes(4096))
    c.add(k, "tiff_magic_only.tif", b"II*\0")
    c.add(k, "png_signature_only.png", PNG_SIGNATURE)
    c.add(k, "png_signature_then_random.png", PNG_SIGNATURE + rng.randbytes(4096))
    c.add(k, "bmp_magic_only.bmp", b"BM")
    c.add(k, "bmp_magic_then_random.bmp", b"BM" + rng.randbytes(4096))
    folder = c.root / k / "folder_named.tif"
    folder.mkdir(parents=True, exist_ok=True)
    c.cases.append(Case(k, folder))


DEGENERATE_OPTIONS = [["--phase", "bright", "--anode", "bottom"], ["--phase", "dark", "--anode", "left"],
                      ["--anode", "top", "--regions", "grid:2x2"], ["--anode", "right", "--save-masks", "--overlay", "preview"]]


def degenerate(c: Corpus):
    """Valid images with nothing (or next to nothing) to measure, in every sample format."""
    k = "degenerate"
    for h, w in [(1, 1), (1, 40), (40, 1), (2, 2), (3, 200), (200, 3)]:
        yy, xx = np.indices((h, w))
        contents = {
            "constant": np.full((h, w), 128, np.uint8),
            "checkered": np.where((yy + xx) % 2 == 1, 230, 40).astype(np.uint8),
            "split": np.where(yy * 2 >= h, 220, 90).astype(np.uint8) if h > 1 else np.where(xx * 2 >= w, 220, 90).astype(np.uint8),
            "striped": np.where(xx // 3 % 2 == 1, 230, 30).astype(np.uint8) if w > 1 else np.where(yy // 3 % 2 == 1, 230, 30).astype(np.uint8),
            "one_pixel": np.where((yy == h // 2) & (xx == w // 2), 255, 60).astype(np.uint8),
        }
        for name, image in contents.items():
            stem = f"degenerate_{name}_{w}x{h}"
            c.add(k, stem + ".png", png(w, h, 8, 0, deflate(png_rows(image))))
            for suffix, data in (("_16bit.tif", image.astype(np.uint16) * 257), ("_float.tif", image.astype(np.float32) / 255)):
                path = c.root / k / (stem + suffix)
                path.parent.mkdir(parents=True, exist_ok=True)
                tifffile.imwrite(path, data)
                c.cases.append(Case(k, path, degenerate=True))


def build_corpus(root: Path, mutant_count: int, seed: int) -> Corpus:
    c = Corpus(root)
    header_bombs(c)
    compression_bombs(c)
    metadata_absurd(c)
    metadata_bombs(c)
    truncated(c)
    mutants(c, mutant_count, seed)
    junk(c)
    degenerate(c)
    return c


# ----------------------------------------------------------------------------------------
# Runs
# ----------------------------------------------------------------------------------------

@dataclass
class Run:
    kind: str
    file: str
    command: str          # as a user would type it, with the real paths
    exit: int
    rss_kb: int
    wall_s: float
    stderr: str
    signal: int | None = None
    guard: str | None = None  # why hostile_inputs.py killed the run, if it did
    problems: list[str] = field(default_factory=list)


def session_processes(sid: int) -> dict[int, int]:
    """Process id → resident memory (KB) of every process in session `sid` (from /proc).
    Each run is its own session: time, timeout and dendrometer (timeout moves itself and
    the tool into a process group of their own, but not out of the session)."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                stat = f.read()
            fields = stat[stat.rindex(b")") + 2:].split()  # state, ppid, pgrp, session, ...
            if int(fields[3]) != sid:
                continue
            rss = 0
            with open(f"/proc/{entry}/status", "rb") as f:
                for line in f:
                    if line.startswith(b"VmRSS:"):
                        rss = int(line.split()[1])
            found[int(entry)] = rss
        except (OSError, ValueError, IndexError):
            continue
    return found


def run_one(binary: Path, case: Case, args: list[str], scratch: Path, guard_kb: int) -> Run:
    """Runs `dendrometer ARGS` under GNU time and timeout in a fresh folder (which is
    also the --out folder's parent), watching the session's RSS."""
    work = Path(tempfile.mkdtemp(prefix="run-", dir=scratch))
    try:
        args = [a.replace("{OUT}", str(work / "out")) for a in args]
        timing = work / "time.txt"
        cmd = ["/usr/bin/time", "-o", str(timing), "-f", "%M %e",
               "timeout", "-k", "5", str(TIMEOUT_S), str(binary), *args]
        with open(work / "stderr.txt", "wb") as err:
            proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err,
                                    cwd=work, start_new_session=True)
            guard, peak_kb, started = None, 0, time.monotonic()
            while proc.poll() is None:
                processes = session_processes(proc.pid)
                peak_kb = max(peak_kb, sum(processes.values()))
                if peak_kb > guard_kb:
                    guard = f"RSS reached {peak_kb / 1024:.0f} MB, above --rss-guard-mb"
                elif time.monotonic() - started > TIMEOUT_S + 30:
                    guard = f"still running {TIMEOUT_S + 30} s after the start"
                if guard:
                    for pid in processes:
                        try:
                            os.kill(pid, signal.SIGKILL)
                        except ProcessLookupError:
                            pass
                    proc.wait()
                    break
                time.sleep(0.1)
        stderr = (work / "stderr.txt").read_bytes().decode("utf-8", "replace")
        lines = timing.read_text().splitlines() if timing.exists() else []
        sig = next((int(l.split()[-1]) for l in lines if l.startswith("Command terminated by signal")), None)
        try:
            rss_kb, wall = lines[-1].split()
            rss_kb, wall = int(rss_kb), float(wall)
        except (IndexError, ValueError):  # time itself was killed
            rss_kb, wall = peak_kb, time.monotonic() - started
        shown = ["dendrometer", *[a.replace(str(work), "RUNDIR") for a in args]]
        return Run(case.kind, case.path.name, " ".join(shown), proc.returncode, rss_kb, wall, stderr,
                   signal=sig, guard=guard)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def judge(run: Run) -> Run:
    """Fills `run.problems` with every way the run breaks the requirement."""
    p = run.problems
    if run.guard:
        p.append(f"killed by hostile_inputs.py: {run.guard}")
    elif run.exit == 124:
        p.append(f"timed out ({TIMEOUT_S} s)")
    elif run.signal is not None or run.exit > 128:
        p.append(f"killed by signal {run.signal or run.exit - 128}")
    elif run.exit not in (0, 1):
        p.append(f"exit status {run.exit} (expected 0 or 1)")
    if run.rss_kb * 1024 > RSS_LIMIT_BYTES:
        p.append(f"peak RSS {run.rss_kb / 1024:.0f} MB > {RSS_LIMIT_BYTES / 1e6:.0f} MB")
    if run.wall_s > WALL_LIMIT_S:
        p.append(f"wall time {run.wall_s:.1f} s > {WALL_LIMIT_S:.0f} s")
    if run.exit == 1:
        lines = run.stderr.splitlines()
        if len(lines) != 1 or not lines[0].startswith("dendrometer: ") or not run.stderr.endswith("\n"):
            p.append(f"refusal is not one 'dendrometer: ' line ({len(lines)} stderr lines)")
    return run


def commands(case: Case) -> list[list[str]]:
    path = str(case.path)
    out = [["inspect", path], ["analyze", path, "--out", "{OUT}"]]
    if case.metadata:
        out.append(["analyze", path, "--out", "{OUT}", "--pixel-size", "0.05um", "--anode", "bottom"])
    if case.degenerate:
        out += [["analyze", path, "--out", "{OUT}"] + options for options in DEGENERATE_OPTIONS]
    return out


def run_all(binary: Path, cases: list[Case], jobs: int, scratch: Path, guard_kb: int) -> list[Run]:
    work = [(case, args) for case in cases for args in commands(case)]
    done, lock = [0], threading.Lock()

    def one(item):
        run = judge(run_one(binary, item[0], item[1], scratch, guard_kb))
        with lock:
            done[0] += 1
            if run.problems or done[0] % 100 == 0 or done[0] == len(work):
                flag = f"  VIOLATION {run.file}: {'; '.join(run.problems)}" if run.problems else ""
                print(f"[{done[0]}/{len(work)}]{flag}", file=sys.stderr, flush=True)
        return run

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(one, work))


# ----------------------------------------------------------------------------------------
# Report
# ----------------------------------------------------------------------------------------

def exit_label(run: Run) -> str:
    if run.guard:
        return f"{run.exit} (killed by hostile_inputs.py)"
    if run.signal is not None:
        return f"{run.exit} (signal {run.signal})"
    return f"{run.exit}" + (f" ({BAD_EXIT_NAMES[run.exit]})" if run.exit in BAD_EXIT_NAMES else "")


def report(cases: list[Case], runs: list[Run]) -> list[Run]:
    header = f"{'class':<12} {'files':>6} {'runs':>6} {'exit 0':>7} {'exit 1':>7} {'other':>6} {'max RSS MB':>11} {'max wall s':>11} {'violations':>11}"
    print(header)
    print("-" * len(header))
    for kind in CLASSES + ["total"]:
        mine = runs if kind == "total" else [r for r in runs if r.kind == kind]
        files = len(cases) if kind == "total" else sum(1 for c in cases if c.kind == kind)
        if kind == "total":
            print("-" * len(header))
        ok0 = sum(r.exit == 0 and not r.guard for r in mine)
        ok1 = sum(r.exit == 1 and not r.guard for r in mine)
        rss = max((r.rss_kb for r in mine), default=0) / 1024
        wall = max((r.wall_s for r in mine), default=0)
        bad = sum(bool(r.problems) for r in mine)
        print(f"{kind:<12} {files:>6} {len(mine):>6} {ok0:>7} {ok1:>7} {len(mine) - ok0 - ok1:>6} {rss:>11.1f} {wall:>11.2f} {bad:>11}")
    violations = [r for r in runs if r.problems]
    print()
    print(f"limits: exit 0 or 1; peak RSS <= {RSS_LIMIT_BYTES / 1e6:.0f} MB; wall <= {WALL_LIMIT_S:.0f} s; "
          f"exit 1 = one stderr line 'dendrometer: ...'")
    print(f"violations: {len(violations)}")
    for r in violations:
        print()
        print(f"[{r.kind}] {r.file}")
        print(f"  command: {r.command}")
        print(f"  exit {exit_label(r)}, RSS {r.rss_kb / 1024:.1f} MB, wall {r.wall_s:.2f} s")
        print(f"  problem: {'; '.join(r.problems)}")
        lines = r.stderr.splitlines()
        for line in lines[:3]:
            print(f"  stderr: {line[:400]}")
        if len(lines) > 3:
            print(f"  stderr: ... ({len(lines) - 3} more lines)")
    return violations


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--binary", type=Path, default=REPO / ".build/release/dendrometer",
                    help="dendrometer executable (default: .build/release/dendrometer in the repository)")
    ap.add_argument("--keep", type=Path, metavar="DIR",
                    help="write the corpus (and results.json) into DIR and keep it; default: a temporary folder")
    ap.add_argument("--mutants", type=int, default=200, metavar="N", help="number of byte-flip mutants (default 200)")
    ap.add_argument("--seed", type=int, default=20240601, help="seed of the mutants (default 20240601)")
    ap.add_argument("--jobs", type=int, default=2, metavar="N", help="runs at a time (default 2)")
    ap.add_argument("--rss-guard-mb", type=int, default=6144, metavar="MB",
                    help="kill a run whose processes exceed this RSS, to protect the machine (default 6144)")
    ap.add_argument("--only", metavar="TEXT", help="run only the files whose name contains TEXT")
    ap.add_argument("--generate-only", action="store_true", help="write the corpus and stop (use with --keep)")
    opts = ap.parse_args()

    binary = opts.binary.resolve()
    if not opts.generate_only and not os.access(binary, os.X_OK):
        ap.error(f"{binary} is not an executable; build it (tools/release_build.sh --product dendrometer) or pass --binary")
    if not Path("/usr/bin/time").exists() or shutil.which("timeout") is None:
        ap.error("needs GNU time at /usr/bin/time and coreutils timeout")
    if opts.jobs < 1 or opts.mutants < 0:
        ap.error("--jobs must be at least 1 and --mutants at least 0")

    started = time.monotonic()
    temp = None
    if opts.keep:
        root = opts.keep.resolve()
        if root.exists() and any(root.iterdir()):
            ap.error(f"--keep {root}: folder exists and is not empty")
        root.mkdir(parents=True, exist_ok=True)
    else:
        temp = tempfile.TemporaryDirectory(prefix="hostile-inputs-")
        root = Path(temp.name)
    try:
        corpus = build_corpus(root / "corpus", opts.mutants, opts.seed)
        generated = time.monotonic() - started
        size_mb = sum(c.path.stat().st_size for c in corpus.cases if c.path.is_file()) / 1e6
        print(f"corpus: {len(corpus.cases)} files, {size_mb:.1f} MB, in {root / 'corpus'} ({generated:.1f} s)")
        if opts.generate_only:
            return 0
        cases = [c for c in corpus.cases if opts.only is None or opts.only in c.path.name]
        print(f"binary: {binary}; {opts.jobs} runs at a time"
              + (f"; only the {len(cases)} files matching '{opts.only}'" if opts.only else ""))
        print(flush=True)
        scratch = root / "runs"
        scratch.mkdir()
        runs = run_all(binary, cases, opts.jobs, scratch, opts.rss_guard_mb * 1024)
        violations = report(cases, runs)
        if opts.keep:
            (root / "results.json").write_text(json.dumps([asdict(r) for r in runs], indent=1))
        print()
        print(f"total runtime {time.monotonic() - started:.0f} s (corpus {generated:.0f} s)")
        return 1 if violations else 0
    finally:
        if temp is not None:
            temp.cleanup()


if __name__ == "__main__":
    sys.exit(main())
