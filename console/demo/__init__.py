"""Deterministic demo data: an empty database becomes a busy bilingual contact centre."""

from __future__ import annotations

from console.demo.generator import DemoReport, DemoScale, generate

__all__ = ["DemoReport", "DemoScale", "generate"]
