import io

from generator.runtime.progress import ProgressBars, wanted
from generator.runtime.timing import Event, recording, stage
from tests.conftest import MALL_CONFIG


def test_stages_are_recorded_only_inside_recording() -> None:
    with stage("outside"):
        pass
    events: list[Event] = []
    with recording(events.append) as seconds:
        with stage("search", total=3) as advance:
            advance(2)
        with stage("search"):
            pass
    assert list(seconds) == ["search"] and seconds["search"] >= 0
    assert [(e.stage, e.kind, e.done, e.total) for e in events] == [
        ("search", "start", 0, 3),
        ("search", "advance", 2, 3),
        ("search", "end", 2, 3),
        ("search", "start", 0, None),
        ("search", "end", 0, None),
    ]


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_only_for_a_person_at_a_terminal() -> None:
    assert wanted(False, _Tty(), {})
    assert not wanted(True, _Tty(), {})
    assert not wanted(False, io.StringIO(), {})
    assert not wanted(False, _Tty(), {"CI": "true"})
    assert wanted(False, _Tty(), {"CI": "false"})


def test_progress_bars_take_events_and_close() -> None:
    bars = ProgressBars(_Tty())
    for event in (Event("k_search", "start", 0, 2), Event("k_search", "advance", 1, 2)):
        bars(event)
    bars(Event("k_search", "end", 2, 2, 0.1))
    bars.close()
    assert bars.progress.tasks[0].completed == 2


def test_cli_prints_stage_timings(cli) -> None:
    result = cli("--timings", "analyze", "--config", str(MALL_CONFIG), "--json")
    assert result.returncode == 0, result.stderr
    line = next(x for x in result.stderr.splitlines() if x.startswith("timings: "))
    assert '"load"' in line and '"k_search"' in line and '"profile"' in line
