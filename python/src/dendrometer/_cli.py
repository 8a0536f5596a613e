"""Finding and running the ``dendrometer`` command-line tool."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence, Union

__all__ = ["DendrometerError", "DendrometerNotFoundError", "find_binary", "options_to_arguments", "run"]

PathLike = Union[str, "os.PathLike[str]"]

#: Environment variable naming the ``dendrometer`` executable to run.
ENVIRONMENT_VARIABLE = "DENDROMETER"
#: Where a release build of a checkout puts the tool, relative to the checkout's root.
CHECKOUT_BINARY = Path(".build") / "release" / "dendrometer"
#: Exit status of the tool for bad usage (BSD ``EX_USAGE``).
EXIT_USAGE = 64
#: Exit status of the tool when an input could not be analysed.
EXIT_FAILURE = 1


class DendrometerError(RuntimeError):
    """The ``dendrometer`` tool failed.

    ``str(error)`` is the tool's one-line message (``dendrometer: FILE: what is
    wrong``, or for bad usage ``dendrometer: what is wrong (see dendrometer
    COMMAND --help)``).

    Attributes:
        message: that one line.
        status: the tool's exit status (1 an input failed, 64 bad usage), or
            ``None`` when the tool did not run at all.
        command: the command line that was run.
        stderr: everything the tool wrote to standard error.
    """

    def __init__(self, message: str, status: Optional[int] = None, command: Sequence[str] = (),
                 stderr: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.command = list(command)
        self.stderr = stderr


class DendrometerNotFoundError(DendrometerError, FileNotFoundError):
    """No ``dendrometer`` executable was found (see :func:`find_binary`)."""

    def __str__(self) -> str:  # FileNotFoundError would otherwise format its own text
        return self.message


def _checkout_roots() -> List[Path]:
    """Folders that may be a Dendrometer checkout: above this package, and above the working directory."""
    roots: List[Path] = []
    for start in (Path(__file__).resolve().parent, Path.cwd().resolve()):
        for folder in (start, *start.parents):
            if (folder / "Package.swift").is_file() and folder not in roots:
                roots.append(folder)
                break
    return roots


def _is_executable(path: Path) -> bool:
    return path.is_file() and os.access(path, os.X_OK)


def find_binary() -> str:
    """The path of the ``dendrometer`` executable to run.

    Looked for, in order: the ``DENDROMETER`` environment variable (a path; it
    must exist), ``dendrometer`` on ``PATH``, and ``.build/release/dendrometer``
    of the checkout this package (or the working directory) lies in.

    Raises:
        DendrometerNotFoundError: none of these is an executable file.
    """
    named = os.environ.get(ENVIRONMENT_VARIABLE)
    if named:
        path = Path(named).expanduser()
        if not _is_executable(path):
            raise DendrometerNotFoundError(
                f"dendrometer: {ENVIRONMENT_VARIABLE}={named}: expected an executable file, "
                f"got {'a file that is not executable' if path.exists() else 'nothing at that path'}")
        return str(path)
    on_path = shutil.which("dendrometer")
    if on_path:
        return on_path
    tried = []
    for root in _checkout_roots():
        candidate = root / CHECKOUT_BINARY
        tried.append(str(candidate))
        if _is_executable(candidate):
            return str(candidate)
    where = f", nor at {', '.join(tried)}" if tried else ""
    raise DendrometerNotFoundError(
        f"dendrometer: the dendrometer tool was not found: {ENVIRONMENT_VARIABLE} is not set, "
        f"'dendrometer' is not on PATH{where}; build it with "
        f"'tools/release_build.sh --product dendrometer' and set {ENVIRONMENT_VARIABLE} to its path")


def options_to_arguments(options: Mapping[str, Any]) -> List[str]:
    """Command-line flags for keyword options.

    ``snake_case=value`` becomes ``--snake-case value``; ``True`` a bare flag,
    ``False``/``None`` nothing; a list or tuple repeats the flag once per item;
    a dict (e.g. ``edx={"In": "map.tif"}``) repeats it as ``KEY=VALUE``.
    Numbers and paths are passed as text.

    Example: ``options_to_arguments({"pixel_size": "0.05um", "save_masks": True,
    "edx": {"In": "in.tif"}})`` → ``["--pixel-size", "0.05um", "--save-masks",
    "--edx", "In=in.tif"]``.
    """
    args: List[str] = []
    for key, value in options.items():
        flag = "--" + key.replace("_", "-")
        if value is None or value is False:
            continue
        if value is True:
            args.append(flag)
        elif isinstance(value, Mapping):
            for k, v in value.items():
                args += [flag, f"{k}={os.fspath(v) if isinstance(v, os.PathLike) else v}"]
        elif isinstance(value, (list, tuple)):
            for item in value:
                args += [flag, _text(item)]
        else:
            args += [flag, _text(value)]
    return args


def _text(value: Any) -> str:
    if isinstance(value, os.PathLike):
        return str(os.fspath(value))
    return str(value)


def positional(path: PathLike) -> str:
    """``path`` as a command-line argument that cannot be taken for a flag."""
    text = os.fspath(path)
    return "./" + text if text.startswith("-") else text


# Progress lines of a batch (``dendrometer: [3/40] a.tif: ok (0.2 s)``) are not the error.
_PROGRESS = re.compile(r"^dendrometer: \[\d+/\d+\] ")


def one_line(stderr: str, status: Optional[int]) -> str:
    """The tool's one-line error from its standard error: its last ``dendrometer:`` line
    that is not a batch progress line (else the last line)."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("dendrometer:") and not _PROGRESS.match(line)]
    if errors:
        return errors[-1]
    if lines:
        return lines[-1]
    return f"dendrometer: exited with status {status} without a message"


def run(arguments: Sequence[str], timeout: Optional[float] = None,
        env: Optional[Dict[str, str]] = None) -> "subprocess.CompletedProcess[str]":
    """Runs ``dendrometer ARGUMENTS...`` and returns the finished process (text output).

    Does not check the exit status; the callers decide what each status means.

    Raises:
        DendrometerNotFoundError: the tool is not found.
        DendrometerError: the tool could not be started, or ran longer than
            ``timeout`` seconds.
    """
    binary = find_binary()
    command = [binary, *arguments]
    try:
        return subprocess.run(command, capture_output=True, text=True, encoding="utf-8",
                              errors="replace", timeout=timeout, env=env, check=False)
    except subprocess.TimeoutExpired:
        raise DendrometerError(f"dendrometer: {' '.join(arguments[:2])}: still running after {timeout} s; stopped",
                               None, command) from None
    except OSError as e:
        raise DendrometerError(f"dendrometer: {binary}: cannot be started: {e.strerror or e}", None, command) from None
