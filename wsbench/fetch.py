"""Catalog entry -> verified local file.

Order of resolution: a file bundled in the wheel -> the user cache
(``$WSBENCH_DATA``, else the platform cache folder) -> download. Downloads are
streamed into a temp file beside the target, hashed while they arrive, and
moved into place only when the sha256 matches: a partial or wrong file never
sits under the final name.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from wsbench.catalog import CatalogEntry, CatalogFile
from wsbench.errors import ChecksumError, DownloadError

if TYPE_CHECKING:
    from typing import Self

CHUNK = 1 << 16
#: redirects followed per download (each target parsed like a catalog URL: http(s) only, never file:)
MAX_REDIRECTS = 5


def cache_dir() -> Path:
    """``$WSBENCH_DATA`` if set, else the platform's user cache folder for wsbench."""
    env = os.environ.get("WSBENCH_DATA")
    if env:
        return Path(env).expanduser()
    if sys.platform.startswith("linux"):  # the XDG rule platformdirs applies there (tested equal), without its
        xdg = os.environ.get("XDG_CACHE_HOME", "")  # import, which brings tempfile and random to every start;
        # a relative XDG path is invalid (the XDG spec): ignored
        return Path(xdg if os.path.isabs(xdg) else os.path.expanduser("~/.cache")) / "wsbench"
    import platformdirs

    return Path(platformdirs.user_cache_dir("wsbench", appauthor=False))


def bundled_dir() -> Path:
    return Path(__file__).resolve().parent / "datasets"


def sha256_of(path: Path) -> str:
    import hashlib  # lazy: a verified, stamped file never needs it, and the import costs ~3 ms of every start

    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def cached_path(entry: CatalogEntry, f: CatalogFile | None = None) -> Path:
    f = f or entry.store_file
    return cache_dir() / entry.name / entry.version / f.filename


def locate(entry: CatalogEntry) -> Path | None:
    """The store file if it is bundled (size checked) or cached and verified, else None.

    A cached file's sha256 is checked once and remembered in a stamp beside it
    (invalidated when its size or mtime changes); a corrupted cached file is
    removed, so it is fetched again instead of being opened.
    """
    f = entry.store_file
    bundled = bundled_dir() / f.filename
    if bundled.is_file() and bundled.stat().st_size == f.bytes:
        return bundled
    cached = cached_path(entry)
    try:
        if cached.is_file() and cached.stat().st_size == f.bytes and verified(cached, f.sha256):
            return cached
    except OSError:  # a data folder that is a file, unreadable, a path too long: not cached (download says why)
        pass
    return None


def _stamp(path: Path) -> Path:
    return path.with_name(path.name + ".verified")


def verified(path: Path, sha256: str) -> bool:
    """True if ``path`` has digest ``sha256`` (hashed once, then trusted while size and mtime stay the same);
    a file that does not match is deleted with its stamp."""
    st = path.stat()
    key = f"{sha256} {st.st_size} {st.st_mtime_ns}"
    stamp = _stamp(path)
    try:
        if stamp.read_text() == key:
            return True
    except OSError:
        pass
    if sha256_of(path) == sha256:
        try:
            stamp.write_text(key)
        except OSError:
            pass  # a read-only cache: hashed again next time
        return True
    path.unlink(missing_ok=True)
    stamp.unlink(missing_ok=True)
    return False


def where(entry: CatalogEntry, found: Path | None = None) -> str:
    """``bundled``, ``cached``, ``remote`` (downloadable) or ``missing`` (wheel-only file not found).

    ``found``: what :func:`locate` already returned for ``entry`` (it is not looked up twice)."""
    found = found if found is not None else locate(entry)
    if found is not None:
        return "bundled" if found.parent == bundled_dir() else "cached"
    return "remote" if entry.store_file.url else "missing"


def resolve(entry: CatalogEntry, *, download_missing: bool = True, progress: bool | None = None) -> Path:
    """Local path of the entry's store file, downloading it if needed."""
    found = locate(entry)
    if found is not None:
        return found
    if not download_missing:
        raise DownloadError(f"{entry.name} is not bundled or cached; run `wsbench download {entry.name}`")
    f = entry.store_file
    if f.url is None:
        where = bundled_dir() / f.filename
        raise DownloadError(f"{entry.name} ships inside the wsbench wheel only, but {where} is missing or has the "
                            f"wrong size (expected {f.bytes} bytes); reinstall wsbench (pip install --force-reinstall "
                            "wsbench) or put the file in the cache folder that `wsbench env` prints")
    return download(f.url, cached_path(entry), f.sha256, f.bytes, progress=progress)


def download(url: str, dest: Path, sha256: str, size: int | None = None, *, retries: int = 3,
             backoff: float = 0.5, timeout: float = 30.0, progress: bool | None = None,
             algorithm: str = "sha256", deadline: float | None = None) -> Path:
    """Stream ``url`` to ``dest``; verify its digest (and size); retry transient failures with back-off.

    ``sha256`` is the expected hex digest; ``algorithm`` names the hash when a
    source publishes another one (CIFAR-10's archive: md5).

    Retried: connection errors, time-outs, HTTP 5xx/429, bodies cut short.
    Not retried: other HTTP errors (e.g. 404), a wrong checksum (the bad
    file is deleted), a body longer than ``size`` and the overall
    ``deadline`` (seconds for all attempts; default 10 min + 1 s per 100 kB).
    Leftover ``.part`` files of earlier killed downloads are removed first; downloads of the same ``dest``
    running beside this one (other processes) keep theirs (see :class:`_PartLock`), and each moves its own
    verified file into place atomically.
    Raises DownloadError/ChecksumError naming URL and hashes.
    """
    import requests

    dest = Path(dest)
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        with _PartLock(dest):  # other downloads of dest may run beside this one: only dead ones' parts are removed
            return _download(requests, url, dest, sha256, size, retries, backoff, timeout, progress, algorithm,
                             deadline)
    except DownloadError:
        raise
    except requests.RequestException as e:  # not retried: a URL requests cannot fetch (scheme, host, ...)
        raise DownloadError(f"{url}: {type(e).__name__}: {e}; nothing was saved to {dest}") from None
    except OSError as e:  # the data folder: full, read-only, a file in the way
        raise DownloadError(folder_problem(e, dest, size)) from None


def folder_problem(e: OSError, dest: Path, size: int | None = None) -> str:
    """What went wrong writing ``dest`` and the fix (a user error, not a wsbench bug)."""
    import errno

    from wsbench.reader import human

    where = f"{cache_dir()}" + (" (WSBENCH_DATA)" if os.environ.get("WSBENCH_DATA") else "")
    fix = "set WSBENCH_DATA to a folder you can write to (e.g. export WSBENCH_DATA=~/wsbench-data)"
    if e.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)):
        need = f" ({human(size)} needed)" if size else ""
        return (f"no space left on the device of {dest.parent} ({e.strerror}); nothing was saved. Free space "
                f"there{need}, or {fix.replace('you can write to', 'on a disk with room')}")
    if e.errno in (errno.ENOTDIR, errno.EEXIST):
        return f"the data folder {where} is a file or has a file in its way ({e.strerror}: {e.filename}); {fix}"
    if e.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"cannot write in the data folder {where} ({e.strerror}: {e.filename}); {fix}, or fix its permissions"
    if e.errno == errno.ENAMETOOLONG:
        return f"the path {dest} is too long for this file system; {fix} (a shorter one)"
    return f"cannot write {dest} ({type(e).__name__}: {e}); {fix}"


def _download(requests, url: str, dest: Path, sha256: str, size: int | None, retries: int, backoff: float,
              timeout: float, progress: bool | None, algorithm: str, deadline: float | None) -> Path:
    if deadline is None:
        deadline = 600.0 + (size or 0) / 100_000
    end = time.monotonic() + deadline
    show = sys.stderr.isatty() if progress is None else progress
    last = "no attempt made"
    for attempt in range(retries + 1):
        if attempt:
            time.sleep(backoff * 2 ** (attempt - 1))
        import tempfile  # only when downloading: every command resolves a dataset here, few download

        fd, tmp_name = tempfile.mkstemp(prefix=dest.name + ".", suffix=".part", dir=dest.parent)
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as out:
                got_hash, got_bytes = _stream(requests, url, out, timeout, show, size, algorithm, end)
            if size is not None and got_bytes != size:
                last = f"body cut short: got {got_bytes} of {size} bytes"
                continue
            if got_hash != sha256:
                raise ChecksumError(
                    f"{url}: {algorithm} does not match the published value: expected {sha256} but got {got_hash}. "
                    "Deleted the download for safety; the file may be corrupted upstream or the catalog outdated."
                )
            os.replace(tmp, dest)
            return dest
        except _Retry as e:
            last = str(e)
        except requests.HTTPError as e:
            raise DownloadError(f"{url}: HTTP {e.response.status_code} {e.response.reason}; not retried") from None
        except (requests.ConnectionError, requests.Timeout) as e:
            last = f"{type(e).__name__}: {e}"
        finally:
            tmp.unlink(missing_ok=True)
    raise DownloadError(f"{url}: failed after {retries + 1} attempt(s); last error: {last}. Nothing was saved to {dest}")


class _Retry(Exception):
    pass


class _PartLock:
    """Who may delete ``<dest>.*.part`` files: a download holds ``<dest>.lock`` shared while it has a part
    file, and removes parts only when it gets the lock exclusively, i.e. when no other download of ``dest`` is
    alive (the kernel drops a killed process's lock). The lock file is removed by the last one out.

    Without ``fcntl`` (Windows) nothing is locked and only parts older than a day are removed as stale.
    """

    STALE_S = 86400.0  # without locks: a part this old cannot belong to a live download (deadline: 10 min + size)

    def __init__(self, dest: Path):
        self.dest, self.path = dest, dest.with_name(dest.name + ".lock")
        self.fd: int | None = None

    def _parts(self) -> list[Path]:
        return list(self.dest.parent.glob(self.dest.name + ".*.part"))

    def __enter__(self) -> Self:
        try:
            import fcntl
        except ImportError:
            for stale in self._parts():
                try:
                    if time.time() - stale.stat().st_mtime > self.STALE_S:
                        stale.unlink(missing_ok=True)
                except OSError:
                    pass
            return self
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                alone = True
            except BlockingIOError:
                fcntl.flock(fd, fcntl.LOCK_SH)  # waits only while another one removes parts or the lock file
                alone = False
            if alone and self._same(fd):
                for stale in self._parts():  # nobody else holds the lock: every part is a dead download's
                    stale.unlink(missing_ok=True)
                fcntl.flock(fd, fcntl.LOCK_SH)  # not atomic: the lock file may be replaced meanwhile, checked below
            if self._same(fd):
                self.fd = fd
                return self
            os.close(fd)  # the last one out removed this lock file after we opened it: take the new one

    def _same(self, fd: int) -> bool:
        try:
            return os.path.samestat(os.fstat(fd), os.stat(self.path))
        except FileNotFoundError:
            return False

    def __exit__(self, *exc: object) -> None:
        if self.fd is None:
            return
        import fcntl

        try:
            try:
                fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return  # another download is still running: it removes the lock file when it ends
            if self._same(self.fd):
                self.path.unlink(missing_ok=True)
        finally:
            os.close(self.fd)
            self.fd = None


def _stream(requests, url: str, out, timeout: float, show: bool, size: int | None,
            algorithm: str = "sha256", end: float = float("inf")) -> tuple[str, int]:
    import hashlib

    import urllib3

    h = hashlib.new(algorithm)
    n = 0
    with _get(requests, url, timeout) as r:
        if r.status_code == 429 or r.status_code >= 500:
            raise _Retry(f"HTTP {r.status_code} {r.reason}")
        r.raise_for_status()
        total = size or int(r.headers.get("content-length") or 0) or None
        bar = _progress(show, url, total)
        try:
            for block in _blocks(r):
                out.write(block)
                h.update(block)
                n += len(block)
                if size is not None and n > size:
                    raise DownloadError(f"{url}: the server sent more than the catalog's {size} bytes; stopped at {n}. "
                                        "Nothing was saved; the catalog entry or the server is wrong")
                if time.monotonic() > end:
                    raise DownloadError(f"{url}: the download did not finish within its deadline ({n} bytes so far); "
                                        "nothing was saved. Try again later or on a faster connection")
                if bar:
                    bar[0].update(bar[1], completed=n)
        except (requests.exceptions.ChunkedEncodingError, requests.exceptions.ConnectionError,
                urllib3.exceptions.ProtocolError) as e:
            raise _Retry(f"connection dropped after {n} bytes: {type(e).__name__}") from None
        except urllib3.exceptions.ReadTimeoutError as e:
            raise requests.exceptions.ReadTimeout(f"read timed out after {n} bytes: {e}") from None
        finally:
            if bar:
                bar[0].stop()
    return h.hexdigest(), n


def _get(requests, url: str, timeout: float):
    """The response to ``url``, following at most MAX_REDIRECTS redirects, each target checked like a catalog URL
    (http(s), a host, a valid port: never ``file:``)."""
    from urllib.parse import urljoin

    from wsbench.catalog import url_problem

    current = url
    for _ in range(MAX_REDIRECTS + 1):
        r = requests.get(current, stream=True, timeout=timeout, allow_redirects=False)
        if not r.is_redirect:
            return r
        target = urljoin(current, r.headers.get("location", ""))
        r.close()
        problem = url_problem(target)
        if problem:
            raise DownloadError(f"{url}: redirected to {target[:200]}, which {problem}; not followed, nothing saved")
        current = target
    raise DownloadError(f"{url}: more than {MAX_REDIRECTS} redirects (a loop?); stopped, nothing was saved. The "
                        "catalog URL or the server is wrong")


def _blocks(r):
    """The body as it arrives (``read1``: whatever one socket read returns), so a trickling server is still
    checked against the deadline after every few bytes; falls back to ``iter_content``."""
    raw = getattr(r, "raw", None)
    if raw is None or not hasattr(raw, "read1"):
        yield from r.iter_content(CHUNK)
        return
    while True:
        block = raw.read1(CHUNK, decode_content=True)  # as iter_content: Content-Encoding undone
        if not block:
            return
        yield block


def _progress(show: bool, url: str, total: int | None):
    if not show:
        return None
    from rich.console import Console
    from rich.progress import BarColumn, DownloadColumn, Progress, TransferSpeedColumn

    p = Progress("[progress.description]{task.description}", BarColumn(), DownloadColumn(), TransferSpeedColumn(),
                 console=Console(stderr=True, emoji=False))
    from wsbench.escape import term

    # the description is read as Rich markup: the file name comes from the catalog
    task = p.add_task(term(url.rsplit("/", 1)[-1]), total=total)
    p.start()
    return p, task
