"""Erlang C staffing: how many agents a queue needs to meet its service-level goal.

Traffic ``A`` (Erlangs) = arrivals per interval x AHT / interval length. With
``N`` agents (N > A) the probability a contact waits is Erlang C, computed
here through the numerically stable Erlang B recursion:

    B(0) = 1,  B(k) = A B(k-1) / (k + A B(k-1))
    C(N, A) = N B(N) / (N - A (1 - B(N)))

and the service level (share answered within ``t`` seconds) is

    SL = 1 - C(N, A) exp(-(N - A) t / AHT).

See docs/kpis.md for a worked example.
"""

from __future__ import annotations

import math

from console.errors import ValidationError

MAX_AGENTS = 10_000


def traffic_erlangs(arrivals: float, interval_s: float, aht_s: float) -> float:
    """Offered load in Erlangs: arrivals x AHT / interval."""
    if interval_s <= 0 or arrivals < 0 or aht_s < 0:
        raise ValidationError("Arrivals, AHT and interval must be positive.")
    return arrivals * aht_s / interval_s


def erlang_c(traffic: float, agents: int) -> float:
    """Probability that a contact has to wait (1.0 when the queue cannot keep up)."""
    if agents <= traffic:
        return 1.0
    b = 1.0
    for k in range(1, agents + 1):
        b = traffic * b / (k + traffic * b)
    return agents * b / (agents - traffic * (1 - b))


def service_level(traffic: float, agents: int, aht_s: float, target_s: float) -> float:
    """Share of contacts answered within ``target_s`` seconds with ``agents`` agents."""
    if agents <= traffic:
        return 0.0
    if traffic == 0:
        return 1.0
    wait = erlang_c(traffic, agents)
    return max(0.0, 1.0 - wait * math.exp(-(agents - traffic) * target_s / aht_s))


def average_speed_of_answer(traffic: float, agents: int, aht_s: float) -> float:
    """Mean wait in seconds (infinite when ``agents`` cannot carry the traffic)."""
    if agents <= traffic:
        return math.inf
    return erlang_c(traffic, agents) * aht_s / (agents - traffic)


def agents_needed(arrivals: float, interval_s: float, aht_s: float, target_s: float,
                  goal: float) -> int:
    """The fewest agents whose service level reaches ``goal`` (0 with no traffic).

    Args:
        arrivals: contacts arriving per interval.
        interval_s: interval length in seconds (e.g. 1800).
        aht_s: average handle time in seconds.
        target_s: answer-within threshold in seconds (e.g. 20).
        goal: the service-level goal as a fraction (e.g. 0.8).
    """
    if not 0 < goal < 1:
        raise ValidationError("The service-level goal is a fraction between 0 and 1.")
    traffic = traffic_erlangs(arrivals, interval_s, aht_s)
    if traffic == 0:
        return 0
    agents = max(1, math.floor(traffic) + 1)
    while service_level(traffic, agents, aht_s, target_s) < goal:
        agents += 1
        if agents > MAX_AGENTS:
            raise ValidationError(f"More than {MAX_AGENTS:,} agents would be needed.")
    return agents
