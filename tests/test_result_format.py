"""Number formatting of result tables: a column of floats reads at one precision (wsbench.result.fmt_column)."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from wsbench.result import fmt, fmt_column, format_table


def test_a_column_takes_one_number_of_decimals_worked_by_hand():
    # darts-cifar10 topk's random_top_pct: per cell (%.4g) 50.1, 9.109, 16.7, 1.965 -- the most decimals any cell
    # shows (3) for all
    assert fmt_column([50.1, 9.109, 16.7, 1.965]) == ["50.100", "9.109", "16.700", "1.965"]
    assert fmt_column([93.09, 93.9, 93.73, 94.14]) == ["93.09", "93.90", "93.73", "94.14"]
    assert fmt_column([0.5, 0.00012]) == ["0.50000", "0.00012"]
    assert fmt_column([0.391, -0.024, 0.13]) == ["0.391", "-0.024", "0.130"]
    assert fmt_column([0.1]) == ["0.1"]                                  # an exact value keeps its short form
    assert fmt_column([1234.0, 0.0001234]) == ["1234", "0.0001234"]     # 7 places: per cell


def test_columns_that_are_not_plain_floats_keep_the_per_cell_format():
    assert fmt_column([1, 2.5]) == ["1", "2.5"]                       # mixed ints and floats
    assert fmt_column(["a", 0.5]) == ["a", "0.5"]                      # text
    assert fmt_column([0.0, 0.0]) == ["0", "0"]
    assert fmt_column([1e-9, 1.0]) == ["1e-09", "1"]                   # fmt writes an exponent
    assert fmt_column([2e5, 1.5]) == [fmt(2e5), "1.5"]
    assert fmt_column([float("nan"), None, 0.25]) == ["—", "None", "0.25"]  # blanks as fmt


def test_format_table_aligns_a_float_column():
    text = format_table([{"k": 1, "x": 50.1}, {"k": 10, "x": 1.965}])
    assert text.splitlines()[1:] == ["1   50.100", "10  1.965 "]


@given(st.lists(st.floats(min_value=-1e4, max_value=1e4, allow_nan=False), min_size=1, max_size=12))
def test_one_precision_and_never_fewer_digits_than_fmt(values):
    cells = fmt_column(values)
    assert len(cells) == len(values)
    if any("e" in fmt(v) for v in values) or max(len(fmt(v).partition(".")[2]) for v in values) > 6:
        assert cells == [fmt(v) for v in values]  # an exponent, or more than 6 places: per cell
        return
    places = {len(c.partition(".")[2]) for c in cells}
    assert len(places) == 1, cells
    (p,) = places
    for v, c in zip(values, cells):
        assert math.isclose(float(c), v, abs_tol=0.5 * 10 ** -p + 1e-9), (v, c)   # the value, rounded
        assert len(fmt(v).partition(".")[2]) <= p                                # no cell loses a digit
