"""`wsbench report`: every figure rendered for a store the tests make, decoded and checked for size and content;
the HTML parsed with its embedded images; Markdown with PNGs beside it; skipped sections say why."""

from __future__ import annotations

import base64
import io
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest
from factory import make_store

pytest.importorskip("matplotlib")

from wsbench.report import write
from wsbench.report.figures import DPI, HEIGHT, WIDTH
from wsbench.report.sections import BUILDERS


def _pixels(png: bytes) -> np.ndarray:
    from matplotlib.image import imread

    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    return imread(io.BytesIO(png), format="png")


class _Images(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.srcs: list[str] = []
        self.h2: list[str] = []
        self._in_h2 = False

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            self.srcs.append(dict(attrs)["src"])
        self._in_h2 = tag == "h2"

    def handle_data(self, data):
        if self._in_h2:
            self.h2.append(data)
            self._in_h2 = False


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    # two GT trainings, so that every section (the noise ceiling too) draws its figure
    return make_store(tmp_path_factory.mktemp("rep") / "s.zarr", n=60, epochs=(1, 2, 4, 8), rng_seed=3,
                      gt_seeds=(0, 1))


def test_html_embeds_every_figure_and_each_is_a_real_picture(store: Path, tmp_path: Path):
    out = tmp_path / "r.html"
    res = write(str(store), out)
    assert res["written"] == [str(out)] and set(res["sections"]) == set(BUILDERS)
    page = _Images()
    page.feed(out.read_text())
    assert len(page.srcs) == len(BUILDERS)  # every section drew its figure on this store
    assert "Provenance" in page.h2
    for src in page.srcs:
        assert src.startswith("data:image/png;base64,")
        px = _pixels(base64.b64decode(src.split(",", 1)[1]))
        assert px.shape[:2] == (int(HEIGHT * DPI), int(WIDTH * DPI))
        assert px[..., :3].std() > 0.05  # not blank
    assert all(not f.name.endswith(".part") for f in tmp_path.iterdir())
    assert "Correlation" in res["sections"]["correlation"] or "Kendall" in res["sections"]["correlation"]


def test_markdown_writes_pngs_beside_it(store: Path, tmp_path: Path):
    out = tmp_path / "card.md"
    res = write(str(store), out, fmt="md")
    text = out.read_text()
    for key in BUILDERS:
        png = tmp_path / f"card-{key}.png"
        assert png.is_file() and f"]({png.name})" in text
        assert _pixels(png.read_bytes())[..., :3].std() > 0.05
    assert len(res["written"]) == len(BUILDERS) + 1


def test_one_epoch_and_one_seed_skip_what_cannot_be_drawn(tmp_path: Path):
    s = make_store(tmp_path / "one.zarr", n=30, epochs=(4,), seeds=(0,))
    res = write(str(s), tmp_path / "one.html")
    assert "one epoch chosen" in res["sections"]["correlation"]
    assert "one seed" in res["sections"]["stability"]


def test_bad_input_is_one_clean_error_and_leaves_the_old_page(store: Path, tmp_path: Path):
    from test_cli import run

    out = tmp_path / "keep.html"
    out.write_text("old page")
    for args, msg in ((["--epoch", "99"], "epoch 99"), (["--format", "pdf"], "report format"),
                      (["--seed", "7"], "seed 7")):
        res = run("report", str(store), "--out", str(out), *args)
        assert res.returncode == 1 and msg in res.stderr and len(res.stderr.strip().splitlines()) == 1, res.stderr
        assert out.read_text() == "old page"
    res = run("report", str(tmp_path / "missing.zarr"))
    assert res.returncode == 1 and "Traceback" not in res.stderr


def test_without_matplotlib_report_says_how_to_install_and_the_rest_works(store: Path):
    code = ("import sys; sys.modules['matplotlib'] = None; from wsbench.cli.app import main; "
            "sys.argv = ['wsbench', *sys.argv[1:]]; main()")
    res = subprocess.run([sys.executable, "-c", code, "report", str(store)], capture_output=True, text=True, check=False)
    assert res.returncode == 1 and "pip install 'wsbench[plot]'" in res.stderr
    res = subprocess.run([sys.executable, "-c", code, "topk", "--space", str(store)], capture_output=True,
                         text=True, check=False)
    assert res.returncode == 0


def test_the_page_renders_in_a_real_headless_browser(tmp_path: Path):
    """Debian's chromium screenshots the nb201-cifar10 page; skipped where no browser is installed."""
    browser = next((shutil.which(b) for b in ("chromium", "chromium-browser", "google-chrome") if shutil.which(b)), None)
    if browser is None:
        pytest.skip("no chromium installed (apt install chromium)")
    page = tmp_path / "nb201.html"
    write("nb201-cifar10", page)
    shot = tmp_path / "shot.png"
    subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", f"--screenshot={shot}",
                    "--window-size=1200,6000", page.as_uri()], capture_output=True, timeout=120, check=True)
    px = _pixels(shot.read_bytes())
    assert px[..., :3].std() > 0.05
    # every embedded image decoded: the browser reports broken images as tiny placeholders; the page height with
    # ten 800x400 figures (the ceiling is skipped: one GT training) exceeds 7 x 400 px of non-white rows
    rows_with_ink = int((px[..., :3].min(axis=2) < 0.9).any(axis=1).sum())
    assert rows_with_ink > 7 * 300


def test_compare_puts_datasets_on_one_axis(store: Path, tmp_path: Path):
    other = make_store(tmp_path / "other.zarr", n=40, epochs=(2, 8), rng_seed=5,
                       supernet_recipe={"kind": "synthetic", "epochs": 8})
    out = tmp_path / "cmp.html"
    res = write(None, out, compare=f"{store},{other}")
    page = _Images()
    page.feed(out.read_text())
    assert len(page.srcs) == 2 and set(res["sections"]) == {"compare_correlation", "compare_topk"}
    for src in page.srcs:
        assert _pixels(base64.b64decode(src.split(",", 1)[1]))[..., :3].std() > 0.05
    import wsbench
    from wsbench.report.compare import schedule_length

    assert schedule_length(wsbench.open(other)) == 8 and schedule_length(wsbench.open(store)) == 8  # recipe / last
    assert res["sections"]["compare_correlation"].count("of its schedule") == 2
    from wsbench.report.compare import share

    assert [share(x) for x in (4 / 32, 1 / 3, 0.25, 1.0, 1 / 64)] == ["12.5%", "33.3%", "25%", "100%", "1.6%"]
    from wsbench.errors import OptionError

    with pytest.raises(OptionError, match="two or more distinct"):
        write(None, out, compare=f"{store},{store}")
    with pytest.raises(OptionError, match="not both"):
        write(str(store), out, compare=f"{store},{other}")


def test_compare_says_each_supernets_training_budget(store: Path, tmp_path: Path):
    """Two versions that differ only in the images per epoch (darts-cifar10 v1.0 and v1.1) must not read the same."""
    rows = []
    for i, images in enumerate((10000, 45000)):
        make_store(tmp_path / f"v{i}.zarr", n=40, epochs=(2, 8), rng_seed=i, scale_preset="mini",
                   dataset={"name": "CIFAR-10", "resolution": 16, "train_images": images})
    out = tmp_path / "cmp.md"
    write(None, out, fmt="md", compare=f"{tmp_path / 'v0.zarr'},{tmp_path / 'v1.zarr'}")
    rows = [line for line in out.read_text().splitlines() if "subnets ×" in line]
    assert len(rows) == 2
    assert "supernet: preset mini, 16×16 images, 10,000 training images per epoch; ground truth:" in rows[0]
    assert "45,000 training images per epoch" in rows[1] and "10,000" not in rows[1]
    write(None, out, fmt="md", compare=f"{store},{tmp_path / 'v1.zarr'}")  # the factory's default: no budget
    first = next(line for line in out.read_text().splitlines() if "subnets ×" in line)
    assert "supernet: preset test; ground truth" in first


def test_one_size_for_every_subnet_is_said_not_drawn_as_a_size_bias(tmp_path):
    """DARTS's recurrent cells all have the same parameter count: bias and the report say size bias cannot be
    measured instead of printing NaN taus or colouring by a constant."""
    import wsbench
    from wsbench.report import sections

    store = make_store(tmp_path / "s.zarr", space="darts-rnn", n=30, params=np.full(30, 1234.0),
                       metric="perplexity", direction="min")
    b = wsbench.open(store)
    r = b.bias()
    assert any("1234 for every subnet" in n for n in r.notes)
    assert np.isnan(r.summary[0]["tau_params_gt_mean"]) and np.isfinite(r.summary[0]["tau_supernet_gt_mean"])
    sec = sections.scatter(b, b.epochs[-1], b.seeds)
    assert "same size (1,234 params)" in sec.finding and "nan" not in sec.finding and sec.data["params"] is None
    ranks = sections.rankings(b, b.epochs, b.seeds)  # sizes rank nothing: no bar, no "best ranker" among NaNs
    assert ranks.skipped and "same for every subnet (no ranking): params, flops" in ranks.skipped


def test_stability_finding_gives_the_first_and_last_adjacent_pairs(tmp_path: Path):
    """By hand: 4 subnets, one seed; epochs 1 → 2 swap the top pair (τ 4/6 = 0.67), 2 → 4 reverse all (τ −1)."""
    from wsbench.api import open as open_store
    from wsbench.report.sections import stability
    from wsbench.store import StoreWriter

    s = make_store(tmp_path / "st.zarr", n=4, epochs=(1, 2, 4), seeds=(0,))
    w = StoreWriter.resume(s)
    for epoch, row in ((1, [1, 2, 3, 4]), (2, [2, 1, 3, 4]), (4, [3, 4, 2, 1])):
        w.write_supernet(0, epoch, np.array(row, dtype=float))
    sec = stability(open_store(s), [1, 2, 4], [0])
    # average of 0.67 and -1: -0.17
    assert ("consecutive recorded epochs at τ -0.17 on average, 0.67 between epochs 1 and 2 and -1.00 between 2 "
            "and 4") in sec.finding
    assert "between epochs" not in stability(open_store(s), [2, 4], [0]).finding  # two epochs: one pair, the mean
