"""Number formatting of result tables: a column of floats reads at one precision (wsbench.result.fmt_column)."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from wsbench.result import fmt, fmt_column, format_table


def test_a_column_takes_one_number_of_decimals_worked_by_hand():
    # darts-cifar10 topk's random_top_pct column: 50.1 has 4 significant digits at 2 places, and 1.965 keeps
    # at least 2 at 2 places, so all four get 2 (per-cell %.4g gave 50.1, 9.109, 16.7, 1.965)
    assert fmt_column([50.1, 9.109, 16.7, 1.965]) == ["50.10", "9.11", "16.70", "1.97"]
    assert fmt_column([93.09, 93.9, 93.73, 94.14]) == ["93.09", "93.90", "93.73", "94.14"]
    # a small value needs more places for 2 significant digits: 0.00012 -> 5 places for the whole column
    assert fmt_column([0.5, 0.00012]) == ["0.50000", "0.00012"]
    # Kendall taus: the largest (0.391) sets 4 places
    assert fmt_column([0.391, -0.024, 0.13]) == ["0.3910", "-0.0240", "0.1300"]


def test_columns_that_are_not_plain_floats_keep_the_per_cell_format():
    assert fmt_column([1, 2.5]) == ["1", "2.5"]                      # mixed ints and floats
    assert fmt_column(["a", 0.5]) == ["a", "0.5"]                     # text
    assert fmt_column([0.0, 0.0]) == ["0", "0"]                       # nothing to size the places on
    assert fmt_column([1e-9, 1.0]) == ["1e-09", "1"]                  # would need more than 6 places
    assert fmt_column([2e5, 1.5]) == [fmt(2e5), "1.5"]                # needs an exponent
    assert fmt_column([float("nan"), None, 0.25]) == ["—", "None", "0.2500"]  # blanks as fmt, the rest aligned


def test_format_table_aligns_a_float_column():
    text = format_table([{"k": 1, "x": 50.1}, {"k": 10, "x": 1.965}])
    assert text.splitlines()[1:] == ["1   50.10", "10  1.97 "]


@given(st.lists(st.floats(min_value=-1e4, max_value=1e4, allow_nan=False).filter(lambda v: v == 0 or abs(v) > 1e-3),
                min_size=1, max_size=12))
def test_a_plain_float_column_is_one_precision_and_keeps_two_significant_digits(values):
    cells = fmt_column(values)
    assert len(cells) == len(values)
    nonzero = [abs(v) for v in values if v != 0]
    if not nonzero:
        return
    places = {len(c.split(".")[1]) if "." in c else 0 for c in cells}
    assert len(places) == 1, cells
    (p,) = places
    for v, c in zip(values, cells):
        assert math.isclose(float(c), v, abs_tol=0.5 * 10 ** -p + 1e-12), (v, c)  # the value, rounded
        if v != 0:  # at least 2 significant digits: the rounding error is under 5% of the value
            assert abs(float(c) - v) <= 0.05 * abs(v) + 1e-12, (v, c)
