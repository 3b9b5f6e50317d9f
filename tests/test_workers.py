"""The one process-pool helper (recordkit.workers): every item's result comes back once,
work is handed out a bounded number ahead, and workers ignore Ctrl-C."""

from __future__ import annotations

import signal
from concurrent.futures import Future

from recordkit import workers

_STATE: dict[str, object] = {}


def _init(tag: str) -> None:
    _STATE["tag"] = tag


def _work(item: int) -> tuple[str, int, bool]:
    ignores_ctrl_c = signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    return str(_STATE["tag"]), item * item, ignores_ctrl_c


def test_every_item_comes_back_once_from_workers_set_up_by_the_initializer():
    done: dict[int, tuple[str, int, bool]] = {}

    def on_done(item: int, future: Future) -> None:
        assert item not in done
        done[item] = future.result()

    with workers.start_pool(2, _init, ("ready",)) as pool:
        workers.run_bounded(pool, _work, range(25), 2, on_done)
    assert sorted(done) == list(range(25))
    assert all(
        tag == "ready" and square == i * i and ignored for i, (tag, square, ignored) in done.items()
    )


def test_submission_is_bounded_and_a_failure_reaches_the_caller():
    class CountingPool:
        """Runs in place, counting what is in flight (a stand-in for the executor)."""

        def __init__(self) -> None:
            self.in_flight = 0
            self.most = 0

        def submit(self, fn, item):
            future: Future = Future()
            self.in_flight += 1
            self.most = max(self.most, self.in_flight)
            try:
                future.set_result(fn(item))
            except Exception as exc:  # noqa: BLE001 - handed to the caller as a worker would
                future.set_exception(exc)
            return future

    pool = CountingPool()

    def on_done(item: int, future: Future) -> None:
        pool.in_flight -= 1
        future.result()

    workers.run_bounded(pool, lambda i: i, range(100), 3, on_done)  # type: ignore[arg-type]
    assert pool.most == 3 * workers.AHEAD

    def boom(i: int) -> int:
        raise ValueError(i)

    try:
        workers.run_bounded(CountingPool(), boom, range(3), 1, lambda i, f: f.result())  # type: ignore[arg-type]
    except ValueError:
        pass
    else:
        raise AssertionError("a failed item must reach the caller")
