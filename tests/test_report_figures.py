"""Every figure of every bundled dataset's report, read from the matplotlib objects it draws: axes labelled, a
direction on every axis in metric units, log axes with more than two labels, cell numbers readable, legends off
the data. (The pictures themselves were checked by eye; see the commit that added this file.)"""

from __future__ import annotations

import pytest

from wsbench.catalog import load_catalog
from wsbench.report import build, figures
from wsbench.report.compare import build_compare

BUNDLED = sorted(n for n, e in load_catalog().items() if any(f.bundled for f in e.files))


@pytest.fixture()
def drawn(monkeypatch):
    figs: dict[str, object] = {}
    real = figures._png

    def keep(fig):
        import inspect

        figs[inspect.stack()[1].function] = fig
        return real(fig)

    monkeypatch.setattr(figures, "_png", keep)
    return figs


def _plots(fig):
    """The data axes of a figure (colour bars left out)."""
    return [ax for ax in fig.axes if ax.get_label() != "<colorbar>"]


def _overlaps(a, b) -> bool:
    return not (a.x1 <= b.x0 or b.x1 <= a.x0 or a.y1 <= b.y0 or b.y1 <= a.y0)


@pytest.mark.parametrize("name", BUNDLED)
def test_every_figure_is_labelled_and_readable(name: str, drawn):
    from wsbench import open as wopen

    build(name)
    b = wopen(name)
    lower = b.direction == "min"
    assert {"meanscore", "correlation", "topk", "bottomtop", "scatter", "operators", "prune_supernet", "pruning",
            "stability"} <= set(drawn)
    assert ("ceiling" in drawn) == ("gt_score_per_seed" in b.ds or "gt_score_std" in b.ds)  # GT repeatability known
    for key, fig in drawn.items():
        fig.canvas.draw()
        for ax in _plots(fig):
            assert ax.get_xlabel() and ax.get_ylabel() or key == "rankings" and ax.get_xlabel(), (key, ax)
            if ax.get_yscale() == "log":
                labels = [t.get_text() for t in ax.get_yticklabels() if t.get_text()
                          and ax.get_ylim()[1] <= t.get_position()[1] <= ax.get_ylim()[0]]
                assert len(labels) >= 3, (key, labels)
            ticks = sorted((t.get_window_extent() for t in ax.get_xticklabels() if t.get_text() and t.get_visible()),
                           key=lambda box: box.x0)
            gaps = [c.x0 - a.x1 for a, c in zip(ticks, ticks[1:])]  # pixels between neighbouring labels
            assert not gaps or min(gaps) >= 4, (key, "x tick labels run into each other", min(gaps))
            legend = ax.get_legend()
            if legend is not None:
                box = legend.get_window_extent()
                assert not _overlaps(box, ax.get_window_extent()) or key == "correlation", key
    for ax, size in zip(_plots(drawn["stability"]), (len(b.epochs), len(b.seeds))):
        cells = ax.texts
        if size > figures.CELL_NUMBERS_MAX:  # too many cells for numbers (di64-cifar10's 30 epochs)
            assert not cells
            continue
        assert cells and min(t.get_fontsize() for t in cells) >= 8
        assert {t.get_color() for t in cells} <= {"k", "w"}
    # one line per set of subnets: k = 1 and 1% of 64 subnets (di64-cifar10) are one line, named by both
    counts = {s["k_count"] for s in b.topk(k=["1", "1%", "10%"]).summary}
    lines = [t.get_text() for t in _plots(drawn["topk"])[0].get_legend().get_texts() if t.get_text().startswith("sup")]
    assert len(lines) == len(counts), lines
    pruned = _plots(drawn["pruning"])[0].get_ylabel()
    assert ("lower is better" if lower else "higher is better") in pruned
    assert ("lower is better" if lower else "higher is better") in _plots(drawn["scatter"])[0].get_xlabel()
    assert ("lower is better" if lower else "higher is better") in _plots(drawn["meanscore"])[0].get_ylabel()
    assert ("lower is better" if lower else "higher is better") in _plots(drawn["prune_supernet"])[1].get_ylabel()


def test_the_comparison_legends_are_off_the_data(drawn):
    build_compare(["nb201-cifar10", "darts-cifar10", "darts-ptb"])
    for key in ("compare_correlation", "compare_topk"):
        fig = drawn[key]
        fig.canvas.draw()
        (ax,) = _plots(fig)
        assert not _overlaps(ax.get_legend().get_window_extent(), ax.get_window_extent()), key
        if ax.get_yscale() == "log":
            assert len([t for t in ax.get_yticklabels() if t.get_text()]) >= 3


def test_a_stability_matrix_of_many_epochs_has_no_cell_numbers_and_thinned_ticks(drawn, tmp_path):
    """di64-cifar10 scores 30 epochs: 900 numbers would be unreadable, so the colours carry the matrix alone and at
    most ~10 epochs are labelled (the last always); the seed panel keeps its numbers."""
    from factory import make_store

    import wsbench
    from wsbench.report import sections

    b = wsbench.open(make_store(tmp_path / "s.zarr", n=30, epochs=tuple(range(1, 31)), seeds=(0, 1)))
    figures.stability(sections.stability(b, b.epochs, b.seeds))
    epochs, seeds = _plots(drawn["stability"])
    labels = [t.get_text() for t in epochs.get_xticklabels()]
    assert not epochs.texts and len(labels) <= 10 and labels[-1] == "30"
    assert len(seeds.texts) == 4
