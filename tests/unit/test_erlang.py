"""Erlang C against the commonly published worked example, computed by hand.

100 calls per 30 minutes, AHT 180 s: A = 100 x 180 / 1800 = 10 Erlangs.
Published P(wait) for 10 Erlangs: 11 agents 0.6821, 12: 0.4494, 13: 0.2853, 14: 0.1741.
Service level within 20 s: SL(N) = 1 - C x exp(-(N - A) x 20 / 180):
  13 agents: 1 - 0.2853 x exp(-3 x 0.1111) = 1 - 0.2853 x 0.7165 = 0.7956  (< 80 %)
  14 agents: 1 - 0.1741 x exp(-4 x 0.1111) = 1 - 0.1741 x 0.6412 = 0.8884  (>= 80 %)
so 14 agents are needed. ASA(14) = 0.1741 x 180 / 4 = 7.8 s.
"""

from __future__ import annotations

import math

import pytest

from console.errors import ValidationError
from console.services import erlang


def test_traffic_in_erlangs() -> None:
    assert erlang.traffic_erlangs(100, 1800, 180) == pytest.approx(10.0)


@pytest.mark.parametrize(("agents", "p_wait"), [(11, 0.6821), (12, 0.4494), (13, 0.2853),
                                                 (14, 0.1741)])
def test_probability_of_waiting_matches_published_table(agents: int, p_wait: float) -> None:
    assert erlang.erlang_c(10.0, agents) == pytest.approx(p_wait, abs=5e-5)


def test_service_level_and_agents_needed() -> None:
    assert erlang.service_level(10.0, 13, 180, 20) == pytest.approx(0.7956, abs=5e-4)
    assert erlang.service_level(10.0, 14, 180, 20) == pytest.approx(0.8884, abs=5e-4)
    assert erlang.agents_needed(100, 1800, 180, 20, 0.8) == 14
    assert erlang.average_speed_of_answer(10.0, 14, 180) == pytest.approx(7.8, abs=0.05)


def test_edge_cases() -> None:
    assert erlang.erlang_c(10.0, 10) == 1.0
    assert erlang.service_level(10.0, 9, 180, 20) == 0.0
    assert math.isinf(erlang.average_speed_of_answer(10.0, 10, 180))
    assert erlang.agents_needed(0, 1800, 180, 20, 0.8) == 0
    assert erlang.agents_needed(1, 1800, 180, 20, 0.8) == 1  # A = 0.1: one agent suffices
    with pytest.raises(ValidationError, match="fraction"):
        erlang.agents_needed(100, 1800, 180, 20, 1.2)
    with pytest.raises(ValidationError, match="positive"):
        erlang.traffic_erlangs(100, 0, 180)
