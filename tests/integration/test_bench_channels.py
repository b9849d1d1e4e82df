"""``switchboard bench-channels`` at a tiny scale: every figure is there and each message went in once.

No timing is asserted: speed targets live in the benchmark's own output.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from console.cli.main import main
from tests.mailservers import DOVECOT_ENV, dovecot_binary
from tools.bench_channels import format_channels_report

LATENCY_KEYS = {"p50_ms", "p95_ms", "max_ms", "samples", "target_ms", "ok"}


@pytest.mark.mail
def test_reports_every_figure_and_takes_each_message_in_exactly_once(
        db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    if dovecot_binary() is None:
        pytest.skip("Dovecot is not installed (apt-get install dovecot-imapd)")
    code = main(["--db", db_url, "bench-channels", "--json", "--messages", "20", "--samples", "3"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    result = json.loads(captured.out)

    assert {"cpu_count", "backend", "python", "sqlite", "dovecot", "imapclient"} <= set(
        result["machine"])
    assert result["machine"]["backend"] == db_url.split(":", 1)[0]
    assert result["scale"] == {"messages": 20, "samples": 3, "seed": 7}
    intake = result["intake"]
    assert (intake["taken_in"], intake["stored"], intake["distinct_message_ids"],
            intake["taken_in_again"]) == (20, 20, 20, 0)
    assert intake["exactly_once"] is True and intake["skipped"] == {}
    assert sum(intake["outcomes"].values()) == 20 and set(intake["outcomes"]) <= {
        "new_contact", "joined"}
    assert set(intake["kinds"]) == {"plain", "iso-2022-jp", "attachment", "reply"}
    for part in ("fetch_only", "parse_only"):
        assert intake[part]["messages_per_s"] > 0
    assert intake["messages_per_s"] > 0 and isinstance(intake["ok"], bool)
    for part in ("mail_to_screen", "reply_to_mailbox"):
        figure = result[part]
        assert set(figure) >= LATENCY_KEYS and figure["samples"] == 3
        assert 0 < figure["p50_ms"] <= figure["p95_ms"] <= figure["max_ms"]
    assert result["mail_to_screen"]["idle"] is True
    assert isinstance(result["ok"], bool)
    assert "taken in exactly once: yes" in format_channels_report(result)


def test_without_dovecot_it_says_so_in_one_line(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv(DOVECOT_ENV, str(tmp_path / "no-dovecot-here"))
    code = main(["bench-channels", "--messages", "20", "--samples", "3"])
    captured = capsys.readouterr()
    assert code == 2 and captured.out == ""
    assert captured.err.count("\n") == 1 and "Dovecot is not installed" in captured.err
