"""The strict TIFF reader on files assembled byte by byte here (tiffbytes.py; expected pixels known by construction)."""

from __future__ import annotations

import zlib
from pathlib import Path

import numpy as np
import pytest

from dendrometer import TiffError, read_mask, read_tiff, read_tiff_pages
from tiffbytes import gray_tags, strips_of, write_tiff


def test_uncompressed_8bit_strips(tmp_path: Path) -> None:
    a = (np.arange(7 * 5, dtype=np.uint8) * 7).reshape(7, 5)
    write_tiff(tmp_path / "a.tif", [(strips_of(a, 3), gray_tags(5, 7, 8, 3))])
    page = read_tiff(tmp_path / "a.tif")
    assert page.data.dtype == np.uint8
    np.testing.assert_array_equal(page.data, a)
    assert page.pixel_size_um is None
    np.testing.assert_array_equal(read_mask(tmp_path / "a.tif"), a)


def test_deflate_16bit_big_endian(tmp_path: Path) -> None:
    a = (np.arange(6 * 4, dtype=np.uint16) * 2731).reshape(6, 4)  # values up to 62 813: both bytes matter
    be = a.astype(">u2")
    strips = [zlib.compress(s) for s in strips_of(be, 4)]
    write_tiff(tmp_path / "b.tif", [(strips, gray_tags(4, 6, 16, 4, compression=8))], big_endian=True)
    page = read_tiff(tmp_path / "b.tif")
    assert page.data.dtype == np.uint16 and page.data.dtype.isnative
    np.testing.assert_array_equal(page.data, a)
    # The old Deflate code (32946) is the same stream.
    write_tiff(tmp_path / "c.tif", [(strips, gray_tags(4, 6, 16, 4, compression=32946))], big_endian=True)
    np.testing.assert_array_equal(read_tiff(tmp_path / "c.tif").data, a)


def test_packbits_example_from_the_tiff_specification(tmp_path: Path) -> None:
    # TIFF 6.0 §9: this packed sequence unpacks to the 24 bytes below.
    packed = bytes.fromhex("FE AA 02 80 00 2A FD AA 03 80 00 2A 22 F7 AA".replace(" ", ""))
    unpacked = bytes.fromhex("AA AA AA 80 00 2A AA AA AA AA 80 00 2A 22 AA AA AA AA AA AA AA AA AA AA".replace(" ", ""))
    write_tiff(tmp_path / "p.tif", [([packed], gray_tags(8, 3, 8, 3, compression=32773))])
    expected = np.frombuffer(unpacked, dtype=np.uint8).reshape(3, 8)
    np.testing.assert_array_equal(read_tiff(tmp_path / "p.tif").data, expected)


def test_float32_pages_and_imagej_calibration(tmp_path: Path) -> None:
    p0 = np.array([[0.0, 0.25], [0.5, 1.0]], dtype=np.float32)
    p1 = 1 - p0
    tags = gray_tags(2, 2, 32, 2, sample_format=3)
    tags[270] = (2, "ImageJ=1.54f\nunit=micron\n")
    tags[282] = (5, [(20, 1)])  # 20 px per µm
    tags[283] = (5, [(20, 1)])
    tags[296] = (3, [1])
    write_tiff(tmp_path / "f.tif", [([p0.tobytes()], tags), ([p1.tobytes()], tags)])
    pages = read_tiff_pages(tmp_path / "f.tif")
    assert len(pages) == 2
    np.testing.assert_array_equal(pages[0].data, p0)
    np.testing.assert_array_equal(pages[1].data, p1)
    assert pages[0].pixel_size_um == pytest.approx(0.05)
    np.testing.assert_array_equal(read_tiff(tmp_path / "f.tif", page=1).data, p1)


def test_horizontal_predictor(tmp_path: Path) -> None:
    a = np.array([[10, 12, 9, 200], [0, 255, 1, 3]], dtype=np.uint8)
    diff = a.astype(np.int16)
    diff[:, 1:] = np.diff(a.astype(np.int16), axis=1)
    encoded = (diff % 256).astype(np.uint8)
    tags = gray_tags(4, 2, 8, 2, compression=8)
    tags[317] = (3, [2])
    write_tiff(tmp_path / "h.tif", [([zlib.compress(encoded.tobytes())], tags)])
    np.testing.assert_array_equal(read_tiff(tmp_path / "h.tif").data, a)


def test_refuses_what_it_does_not_read(tmp_path: Path) -> None:
    a = np.zeros((2, 2), dtype=np.uint8)
    write_tiff(tmp_path / "lzw.tif", [([a.tobytes()], gray_tags(2, 2, 8, 2, compression=5))])
    with pytest.raises(TiffError, match=r"lzw\.tif: expected compression none, deflate or packbits, got 5 \(LZW\)"):
        read_tiff(tmp_path / "lzw.tif")
    write_tiff(tmp_path / "short.tif", [([b"\0\0\0"], gray_tags(2, 2, 8, 2))])
    with pytest.raises(TiffError, match=r"expected 4 bytes in strip 0, got 3"):
        read_tiff(tmp_path / "short.tif")
    write_tiff(tmp_path / "onebit.tif", [([b"\0\0"], gray_tags(2, 2, 1, 2))])
    with pytest.raises(TiffError, match=r"expected 8, 16, 32 or 64 bits per sample, got 1"):
        read_tiff(tmp_path / "onebit.tif")
    (tmp_path / "png.tif").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 16)
    with pytest.raises(TiffError, match=r"expected a TIFF file"):
        read_tiff(tmp_path / "png.tif")


@pytest.mark.parametrize("compression", [None, "zlib", "packbits"])
def test_agrees_with_tifffile_on_its_own_files(tmp_path: Path, compression: str | None) -> None:
    tifffile = pytest.importorskip("tifffile", reason="tifffile not installed: no second reader to compare with")
    if compression == "packbits":
        # tifffile writes PackBits through imagecodecs (its own fallback has no PackBits encoder).
        pytest.importorskip("imagecodecs", reason="imagecodecs not installed: tifffile cannot write PackBits")
    rng = np.random.default_rng(14)
    for dtype in ("u1", "u2", "f4"):
        a = (rng.random((33, 21)) * 250).astype(dtype)
        path = tmp_path / f"{dtype}-{compression}.tif"
        tifffile.imwrite(path, a, compression=compression, rowsperstrip=8)
        np.testing.assert_array_equal(read_tiff(path).data, tifffile.imread(path))
