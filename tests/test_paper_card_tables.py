"""results/nb201-cifar10-paper/card_tables.py: the card's paper-vs-mini tables, each cell the query it names, on a
small nb201 store written by the project's factory beside the bundled mini dataset."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest
from factory import make_store

import wsbench

SCRIPT = Path(__file__).resolve().parents[1] / "results" / "nb201-cifar10-paper" / "card_tables.py"


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    return make_store(tmp_path_factory.mktemp("paper") / "p.zarr", space="nb201", n=120, epochs=(16, 32, 64),
                      losses=True)


def _row(text: str, heading: str, first: str) -> list[str]:
    part = text.split(heading, 1)[1]
    line = next(x for x in part.splitlines() if x.startswith(f"| {first} |"))
    return [c.strip() for c in line.strip("|").split("|")]


def test_every_cell_is_the_query_it_names(store: Path):
    res = subprocess.run([sys.executable, str(SCRIPT), str(store)], capture_output=True, text=True, check=False)
    assert res.returncode == 0, res.stderr
    b, mini = wsbench.open(store), wsbench.open("nb201-cifar10")
    out = res.stdout
    row = _row(out, "### Rank correlation", "32")
    c = b.correlation(epoch=32).summary[0]
    m = mini.correlation(epoch=32, dedupe=True).summary[0]
    assert row[1] == f"{c['kendall_mean']:.3f} ± {c['kendall_std']:.3f}"
    assert row[-1] == f"{m['kendall_mean']:.3f} ± {m['kendall_std']:.3f}"
    assert _row(out, "### Rank correlation", "64")[-1] == "—"  # the mini supernets stop at epoch 32
    loss = b.correlation(epoch=32, score="loss").summary[0]
    assert row[3] == f"{loss['kendall_mean']:.3f} ± {loss['kendall_std']:.3f}"
    ms = b.meanscore(epoch=16).summary[0]
    assert _row(out, "### Mean supernet score", "16")[1] == f"{ms['mean_mean']:.2f} ± {ms['mean_std']:.2f}"
    st = next(r for r in mini.stability(epoch="all", dedupe=True).summary if (r["kind"], r["epoch"]) == ("seed", 16))
    assert _row(out, "### Stability", "seed")[-1] == f"{st['kendall_mean']:.3f} ± {st['kendall_std']:.3f}"
    assert "| mini | 32 |" in out and "| paper | 64 |" in out
    assert "### The fine-tuned protocol" not in out  # this store has no finetune_score
    last = b.correlation(epoch=64, ci=0.95, boot=1000).summary[0]
    assert f"**τ {last['kendall_mean']:.3f} ± {last['kendall_std']:.3f}** over 3 seeds at epoch 64" in out


def test_card_mode_replaces_only_the_marked_block_and_refuses_drafts(store: Path, tmp_path: Path, monkeypatch):
    spec = importlib.util.spec_from_file_location("card_tables", SCRIPT)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    card = tmp_path / "card.md"
    card.write_text(f"# card\n\nbefore\n\n{mod.START}\nold\n{mod.END}\n\nafter\n")
    monkeypatch.setattr(mod, "CARD", card)
    monkeypatch.setattr(sys, "argv", ["card_tables.py", str(store), "--card"])
    mod.main()
    text = card.read_text()
    assert text.startswith("# card\n\nbefore\n\n") and text.endswith(f"{mod.END}\n\nafter\n")
    assert "old" not in text and "### Rank correlation" in text
    monkeypatch.setattr(sys, "argv", ["card_tables.py", str(store), "--card", "--draft"])
    with pytest.raises(SystemExit, match="--draft figures are not for the card"):
        mod.main()
    assert card.read_text() == text
