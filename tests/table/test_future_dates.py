"""Far-future and future dates in a log (issue 21, Medium 7).

``9999-12-31`` (a common "no end" placeholder) made the build exit 1 with OverflowError; one
row dated 2099 silently moved every recency by decades.
"""

from __future__ import annotations

import pytest

from generator.analysis.run import load_table
from generator.config.settings import load_config
from generator.errors import DataError
from tests.table.test_transactions import expected_rfm, make_log, write_log


@pytest.mark.parametrize("placeholder", ["9999-12-31", "9999-01-01", "9000-06-30"])
def test_placeholder_dates_are_gaps_with_a_count(tmp_path, placeholder: str) -> None:
    log = make_log(rows=3_000, customers=200)
    real = log.copy()
    log.loc[[5, 17, 40], "date"] = placeholder
    config = load_config(write_log(tmp_path, log, data_extra="  missing: drop\n"))
    table = load_table(config)
    notes = " ".join(table.source.notes)
    assert "3 cells held a placeholder date" in notes
    expected = expected_rfm(real.drop(index=[5, 17, 40]))
    assert table.n_customers == len(expected)


def test_a_date_after_today_is_refused_with_a_line_naming_it(tmp_path) -> None:
    log = make_log(rows=3_000, customers=200)
    log.loc[7, "date"] = "2099-12-31"
    config = load_config(write_log(tmp_path, log))
    with pytest.raises(DataError) as caught:
        load_table(config)
    message = str(caught.value)
    assert "2099-12-31" in message and "as_of" in message and "\n" not in message


def test_a_date_after_today_is_accepted_with_as_of(tmp_path) -> None:
    log = make_log(rows=3_000, customers=200)
    log.loc[7, "date"] = "2099-12-31"
    config = load_config(write_log(tmp_path, log, extra=", as_of: 2100-01-31"))
    table = load_table(config)
    assert table.source.as_of.isoformat() == "2100-01-31"
