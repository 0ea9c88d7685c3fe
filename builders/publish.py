"""Finished store -> zipped file + catalog entry, with every computed field taken from the store itself.

The human part of an entry (title, description, licence, citation, release
notes, the exact build command) is written by hand in a small TOML file; this
module adds what must never be typed by hand: sizes, space, metric, scale,
builder, file name, sha256 and byte count. The store must validate (deep)
first, so an incomplete or broken store cannot be published.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

from wsbench.errors import OptionError

#: fields the maintainer writes in the meta TOML
HAND_FIELDS = ("name", "version", "dataset", "title", "description", "license", "citation", "release_notes")


def publish(store: str | Path, meta: str | Path, *, out_dir: str | Path, catalog_dir: str | Path,
            url: str | None = None, bundled: bool = True, card: str | Path | None = None) -> dict[str, Any]:
    """Zip ``store`` into ``out_dir/<name>-<version>.zip`` and write ``catalog_dir/<name>.toml``; return the entry.

    The dataset card must exist (default: ``<name>.md`` beside the meta file, as ``new-space`` writes it), and
    neither it nor the meta file may still hold a ``TODO(new-space)`` mark.
    """
    from wsbench.catalog import parse_entry
    from wsbench.fetch import sha256_of
    from wsbench.schema import validate
    from wsbench.store import open_store, zip_store

    store, out_dir, catalog_dir = Path(store), Path(out_dir), Path(catalog_dir)
    try:
        hand = tomllib.loads(Path(meta).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise OptionError(f"cannot read the meta file {meta}: {e}") from None
    missing = [k for k in HAND_FIELDS if not isinstance(hand.get(k), str)]
    if missing or not isinstance(hand.get("builder", {}).get("command"), str):
        raise OptionError(f"{meta} needs string fields {missing or []} and builder.command (the exact build "
                          f"command); expected all of {list(HAND_FIELDS)}")
    _check_card(Path(card) if card else Path(meta).parent / f"{hand['name']}.md", Path(meta))
    ds = open_store(store)
    problems = validate(ds)
    if problems:
        raise OptionError(f"{store} does not validate; fix before publishing: " + "; ".join(problems))
    if _stamp_licence(store, hand):
        ds = open_store(store)
    if not url and not bundled:
        raise OptionError("a published file needs a url, or bundling into the wheel (bundled = true)")
    out_dir.mkdir(parents=True, exist_ok=True)
    filename = f"{hand['name']}-{hand['version']}.zip"
    if store.is_dir():
        zipped = zip_store(store, out_dir / filename)  # refuses symlinks in the store (never follows or drops them)
    else:
        zipped = out_dir / filename
        if store.resolve() != zipped.resolve():
            zipped.write_bytes(store.read_bytes())
    _check_published(store, zipped)
    a = ds.attrs
    f: dict[str, Any] = {"filename": filename, "sha256": sha256_of(zipped), "bytes": zipped.stat().st_size}
    if url:
        f["url"] = url
    if bundled:
        f["bundled"] = True
    entry = {k: hand[k] for k in HAND_FIELDS}
    entry.update(space=a["space"], scale=a["scale_preset"], metric=a["metric"], metric_direction=a["metric_direction"],
                 sizes={"archs": ds.sizes["arch"], "epochs": ds.sizes["epoch"], "seeds": ds.sizes["seed"]},
                 builder={**a["builder"], "preset": a["scale_preset"], "command": hand["builder"]["command"]},
                 files=[f])
    path = catalog_dir / f"{hand['name']}.toml"
    _, errs = parse_entry(entry, path)
    if errs:
        raise OptionError(f"the entry would not load: {'; '.join(errs)}")
    _write_atomic(path, to_toml(entry))
    return entry


def _check_published(store: Path, zipped: Path) -> None:
    """Reopen the zip as users will (``wsbench validate``): it must validate and hold every file of the folder, or
    it is deleted and publishing stops."""
    import zipfile

    from wsbench.store import store_members, validate_path

    problems = validate_path(zipped)
    if store.is_dir():
        want = {p.relative_to(store).as_posix() for p in store_members(store)}
        with zipfile.ZipFile(zipped) as zf:
            have = {i.filename for i in zf.infolist() if not i.is_dir()}
        if have != want:
            problems.append(f"the zip holds {len(have)} member(s), the folder {len(want)} file(s); missing: "
                            f"{sorted(want - have)[:5]}, extra: {sorted(have - want)[:5]}")
    if problems:
        if store.resolve() != zipped.resolve():
            zipped.unlink(missing_ok=True)
        raise OptionError(f"the published file {zipped} does not validate once reopened, so it was deleted: "
                          + "; ".join(problems))


def _check_card(card: Path, meta: Path) -> None:
    """The card a catalog entry points readers to exists, and no scaffold TODO is published."""
    from wsbench.spaces._todo import MARK

    if not card.is_file():
        raise OptionError(f"the dataset card {card} does not exist; write it (python -m builders new-space writes a "
                          "skeleton beside the meta file) or pass --card PATH")
    for path in (meta, card):
        text = path.read_text(encoding="utf-8")
        if MARK in text:
            line = next(i for i, t in enumerate(text.splitlines(), 1) if MARK in t)
            raise OptionError(f"{path} still holds {text.count(MARK)} {MARK} mark(s), the first on line {line}; "
                              "fill them in before publishing")


def _stamp_licence(store: Path, hand: dict[str, Any]) -> bool:
    """The store says the same licence and citation as its catalog entry: written into a folder store; a zip
    that differs is refused (publish its folder instead)."""
    from wsbench.store import StoreWriter, open_store

    attrs = open_store(store, allow_incomplete=True, check=False).attrs
    if attrs.get("license") == hand["license"] and attrs.get("citation") == hand["citation"]:
        return False
    if not store.is_dir():
        raise OptionError(f"{store}: its licence/citation differ from the meta file's; publish the store folder "
                          "(publish writes them into it) or fix the meta file")
    w = StoreWriter.resume(store)
    w.update_attrs(license=hand["license"], citation=hand["citation"])
    w.finalize()  # the store validated above; this re-consolidates its metadata
    return True


def to_toml(entry: dict[str, Any]) -> str:
    """A catalog entry as TOML (strings JSON-escaped, which TOML basic strings accept)."""
    def val(v: Any) -> str:
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, (int, float)):
            return repr(v)
        if isinstance(v, dict):
            return "{ " + ", ".join(f"{k} = {val(x)}" for k, x in v.items()) + " }"
        return json.dumps(v, ensure_ascii=False)

    lines = ["# Written by `python -m builders publish`; computed fields come from the store. Edit the meta file.", ""]
    lines += [f"{k} = {val(v)}" for k, v in entry.items() if k != "files"]
    for f in entry["files"]:
        lines += ["", "[[files]]", *(f"{k} = {val(v)}" for k, v in f.items())]
    return "\n".join(lines) + "\n"


def _write_atomic(path: Path, text: str) -> None:
    from wsbench.atomic import write_atomic

    write_atomic(path, text)
