"""``python -m builders new-space NAME``: the files of a new space, each with its TODOs (as ``tfds new`` does).

Writes the space module (``wsbench/spaces/<module>.py``), the builder folder (``builders/<module>/``: network,
presets with keyword fields, kit), a test file, the meta file of ``publish`` and the dataset card skeleton.
Nothing is registered by hand: the space is found by its module name and the kit by its folder, so the
suite's space-wide tests (parsing and sampling, weight sharing, the tiny build) take the new space at once
and fail, each naming its TODO, until the TODOs are done. ``publish`` refuses a meta file or card that still
holds a TODO mark. Every path is checked before the first file is written: a refusal writes nothing.
"""

from __future__ import annotations

import keyword
import re
from pathlib import Path

from wsbench.errors import OptionError
from wsbench.spaces._todo import MARK

_NAME = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")


def checkout_root() -> Path:
    """The folder holding ``wsbench/`` and ``builders/`` of this installation (an editable checkout)."""
    return Path(__file__).resolve().parent.parent


def class_name(name: str) -> str:
    """``di64`` -> ``Di64``, ``my-cell`` -> ``MyCell``."""
    return "".join(part[:1].upper() + part[1:] for part in name.split("-"))


def plan(name: str, root: Path, dataset: str) -> dict[str, str]:
    """Every file to write (path relative to ``root`` -> text), or one OptionError saying why nothing is written."""
    if not isinstance(name, str) or not _NAME.match(name) or len(name) > 32:
        raise OptionError(f"a space name is lowercase letters and digits, words joined by '-', starting with a "
                          f"letter, at most 32 characters (e.g. di64, my-cell); got {name!r}")
    module = name.replace("-", "_")
    if keyword.iskeyword(module) or module == "base":
        raise OptionError(f"{name!r} cannot be a space name (it is a Python keyword or wsbench's base module)")
    if not _NAME.match(dataset):
        raise OptionError(f"--dataset must be lowercase letters, digits and '-' (e.g. {name}-cifar10); got {dataset!r}")
    if not (root / "wsbench" / "spaces").is_dir() or not (root / "builders").is_dir():
        raise OptionError(f"{root} is not a wsbench checkout (no wsbench/spaces/ and builders/ in it); run from the "
                          "checkout or pass --root")
    cls = class_name(name)
    fields = {"name": name, "module": module, "cls": cls, "dataset": dataset, "mark": MARK}
    files = {
        f"wsbench/spaces/{module}.py": SPACE,
        f"builders/{module}/__init__.py": BUILDER_INIT,
        f"builders/{module}/network.py": NETWORK,
        f"builders/{module}/presets.py": PRESETS,
        f"builders/{module}/kit.py": KIT,
        f"tests/test_{module}_torch.py": TEST,
        f"docs/datasets/{dataset}.meta.toml": META,
        f"docs/datasets/{dataset}.md": CARD,
    }
    taken = [p for p in dict.fromkeys((f"builders/{module}", f"wsbench/spaces/{module}.py", *files))
             if (root / p).exists() and not p.startswith(f"builders/{module}/")]
    if taken:
        raise OptionError(f"space {name!r} (or its files) exists already: {', '.join(taken)}; choose "
                          "another name, or edit those files")
    return {path: text.format(**fields) for path, text in files.items()}


def new_space(name: str, *, root: str | Path | None = None, dataset: str | None = None) -> dict[str, object]:
    """Write the scaffold of space ``name`` under ``root`` (default: this checkout); return what was written."""
    root = Path(root) if root is not None else checkout_root()
    files = plan(name, root, dataset or f"{name}-cifar10")
    written: list[Path] = []
    try:
        for rel, text in files.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, "x", encoding="utf-8") as f:  # "x": never over a file that appeared meanwhile
                written.append(path)
                f.write(text)
    except OSError as e:
        for path in written:
            path.unlink(missing_ok=True)
        raise OptionError(f"could not write {e.filename}: {e.strerror}; nothing was left behind") from None
    return {"space": name, "root": str(root), "files": list(files),
            "next": f"grep -rn '{MARK}' on these files; then python -m pytest -q -k {name.replace('-', '_')} "
                    f"tests/test_spaces.py tests/test_kits.py tests/test_engine.py tests/test_{name.replace('-', '_')}_torch.py "
                    "(see CONTRIBUTING.md)"}


SPACE = '''"""{cls}: {mark}: one paragraph: the space, its paper, the file of its official code that defines it.

Say what the canonical string is (the official code's own spelling where one exists), how many
architectures the space has and how that number was counted, and what two spellings of one
architecture are. Scaffolded by ``python -m builders new-space {name}``; found by its module name.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

import numpy as np

from wsbench.errors import InvalidArchError  # noqa: F401  (parse raises it with what was expected and what was got)
from wsbench.spaces._todo import Todo, todo
from wsbench.spaces.base import SearchSpace

_HERE = "wsbench/spaces/{module}.py"


class {cls}(SearchSpace):
    name: ClassVar[str] = "{name}"
    ops: ClassVar[tuple[str, ...]] = Todo(_HERE, "the op vocabulary, spelled as the official code spells it")
    decisions: ClassVar[tuple[str, ...]] = Todo(_HERE, "one name per choice point, in the order choices_of returns")
    size: ClassVar[int] = Todo(_HERE, "the exact number of distinct canonical strings (count it in a test)")
    reference: ClassVar[str] = Todo(_HERE, "the paper and the file + function of its code that define the space")

    def parse(self, arch: object) -> Any:
        """Any accepted spelling -> the internal form the supernet takes; InvalidArchError saying what is wrong."""
        todo(_HERE, "parse(arch)")

    def format(self, parsed: Any) -> str:
        """The canonical string of a parsed architecture (format(parse(s)) == s for a canonical s)."""
        todo(_HERE, "format(parsed)")

    def choices_of(self, parsed: Any) -> tuple[int, ...]:
        """One index into ``ops`` per decision (-1 where the decision does not exist)."""
        todo(_HERE, "choices_of(parsed)")

    def _sample_parsed(self, rng: np.random.Generator) -> Any:
        """One architecture drawn uniformly from the space (what each supernet training step runs)."""
        todo(_HERE, "_sample_parsed(rng)")

    def enumerate(self) -> Iterator[str]:
        """Every canonical string, in the official enumeration order (small spaces only; else delete this)."""
        todo(_HERE, "enumerate() (or delete it if the space is too large to list)")
'''

BUILDER_INIT = '''"""{cls} space: supernet, stand-alone network and presets ({mark}: one line on what differs from the paper)."""
'''

NETWORK = '''"""{cls} networks in torch: the stand-alone network of one architecture, and the supernet that contains them all.

``{cls}Supernet.forward(x, arch)`` takes the parsed form of ``wsbench.spaces`` (``space.parse``, ``space.draw``);
``standalone_state(arch)`` returns the supernet's own tensors under the stand-alone network's keys, so weight
sharing is explicit and tested (tests/test_kits.py: a subnet through the supernet == its stand-alone network
with those weights, exactly). {mark}: say where the wiring comes from (paper, file of the official code).
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from wsbench.spaces import get_space
from wsbench.spaces._todo import todo

_HERE = "builders/{module}/network.py"


class {cls}Network(nn.Module):
    """The stand-alone network of one architecture (what ground truth trains from scratch)."""

    def __init__(self, arch: Any, channels: int, cells_per_stage: int, num_classes: int = 10):
        super().__init__()
        self.arch = get_space("{name}").parse(arch)
        todo(_HERE, "{cls}Network.__init__: stem, cells of the chosen ops, head")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        todo(_HERE, "{cls}Network.forward")


class {cls}Supernet(nn.Module):
    """Every op of every decision, weights shared by all architectures that choose it."""

    def __init__(self, channels: int, cells_per_stage: int, num_classes: int = 10):
        super().__init__()
        todo(_HERE, "{cls}Supernet.__init__: one module per (decision, op)")

    def forward(self, x: torch.Tensor, arch: Any) -> torch.Tensor:
        todo(_HERE, "{cls}Supernet.forward(x, arch): run only the ops arch chooses")

    def standalone_state(self, arch: Any) -> dict[str, torch.Tensor]:
        todo(_HERE, "{cls}Supernet.standalone_state(arch): the state_dict of {cls}Network(arch) taken from here")
'''

PRESETS = '''"""Supernet presets for {cls}. ``paper`` = the published network and recipe; ``mini`` fits 2 CPU cores.

{mark}: the paper's settings with their source (paper section, config file), and the measured training
throughput (img/s, 1 thread: ``python benchmarks/builders_throughput.py --space {name}``) that chose ``mini``.
The numbers below are NB201's, placeholders to replace.
"""

from __future__ import annotations

from builders.core.preset import SupernetPreset

PRESETS = {{
    "paper": SupernetPreset(
        name="paper", channels=16, cells_per_stage=5, resolution=32, batch_size=256, lr=0.1, momentum=0.9,
        weight_decay=5e-4, train_size=25_000, valid_size=25_000, score_size=10_000, bn_batches=50, split_seed=0,
        crop_padding=4, flip=True),
    "mini": SupernetPreset(
        name="mini", channels=8, cells_per_stage=1, resolution=16, batch_size=64, lr=0.1, momentum=0.9,
        weight_decay=5e-4, train_size=45_000, valid_size=5_000, score_size=1_000, bn_batches=10, split_seed=0,
        crop_padding=2, flip=True),
}}
'''

KIT = '''"""The engine's handle on {cls} (found by ``builders.engine.kits`` from this folder's name)."""

from __future__ import annotations

from builders.core.space_kit import Kit


def kit() -> Kit:
    from builders.{module}.network import {cls}Network, {cls}Supernet
    from builders.{module}.presets import PRESETS

    # {mark}: the paper-scale network's channels and cells (its params/FLOPs are recorded as params_paper)
    return Kit(space="{name}", presets=PRESETS,
               supernet=lambda p: {cls}Supernet(p.channels, p.cells_per_stage, 10),
               standalone=lambda a, c, n: {cls}Network(a, c, n, 10),
               paper_standalone=lambda a: {cls}Network(a, 16, 5, 10),
               citation="{mark}: authors, title, venue year")
'''

TEST = '''"""{cls}: what only this space can check. The shared harness checks the rest for every space:
tests/test_spaces.py (parsing round trips, sampling), tests/test_kits.py (weight sharing = stand-alone),
tests/test_engine.py (a tiny real build with ground truth).
"""

from __future__ import annotations

import pytest

from wsbench.spaces import get_space

#: {mark}: architectures as the paper or its code spells them (e.g. its best cell), each with its canonical string
EXAMPLES: list[tuple[object, str]] = []
#: {mark}: (canonical string, parameter count the paper or its code reports) of the paper-scale network
PUBLISHED_PARAMS: list[tuple[str, int]] = []


def test_the_papers_own_architectures_parse_to_their_canonical_strings():
    assert EXAMPLES, "{mark}: fill EXAMPLES in tests/test_{module}_torch.py"
    space = get_space("{name}")
    for spelled, canonical in EXAMPLES:
        assert space.canonicalize(spelled) == canonical


def test_paper_network_has_the_published_parameter_counts():
    pytest.importorskip("torch")
    from builders.engine.kits import get_kit
    from builders.flops import count_params

    assert PUBLISHED_PARAMS, "{mark}: fill PUBLISHED_PARAMS in tests/test_{module}_torch.py"
    kit = get_kit("{name}")
    for arch, params in PUBLISHED_PARAMS:
        assert count_params(kit.paper_standalone(arch)) == params, arch
'''

META = '''# Meta file of `python -m builders publish STORE --meta docs/datasets/{dataset}.meta.toml`.
# Only the human part; sizes, space, metric, sha256 and bytes are taken from the store.
# publish refuses this file while a TODO mark of new-space is left in it.
name = "{dataset}"
version = "1.0"
dataset = "{mark}: data set and how it differs from the original (e.g. CIFAR-10, JPEG q75 re-encoding)"
title = "{mark}: one line: space, scale, subnets x epochs x seeds, ground truth"
description = "{mark}: how the supernets were trained and scored, the scale, the ground truth and its noise. Card: docs/datasets/{dataset}.md."
license = "{mark}: SPDX expression covering the data and every source it derives from"
citation = "{mark}: wsbench {dataset} v1.0 (year). Space and ground truth: authors, title, venue."
release_notes = "First release."

[builder]
command = "{mark}: the exact commands: python -m builders build {name} ...; python -m builders import-gt ... --store {dataset}.zarr"
'''

CARD = '''# {dataset}

{mark}: one paragraph: which question this dataset answers, for which space, at which scale.

## How it was made

- **Space**: `{name}` ({mark}: paper, official code, number of architectures).
- **Data**: {mark}: data set, how it differs from the original, train/held-out split and seed.
- **Preset**: {mark}: `mini` / `paper`, and what differs from the published setting.
- **Sampler**: {mark}: how the scored subnets were chosen (`--subnets N --sample-seed S` or `--archs-from FILE`).
- **Recipe**: {mark}: optimiser, schedule, epochs, batch, augmentation, seeds.
- **Protocol**: {mark}: BN recalibration batches, held-out images scored.
- **Build**: {mark}: the exact commands and their wall time on named hardware.

## Ground truth

{mark}: source (file + sha256, or training recipe), unit, and its **measured** noise (Kendall tau between
GT seeds, or the per-architecture std the source reports).

## Licence and citation

{mark}: the licence of the data and of every source it derives from; how to cite the dataset and its sources.

## Results

{mark}: generated, not typed: `python benchmarks/card_report.py {dataset}`.
'''
