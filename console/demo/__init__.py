"""Deterministic demo data: an empty database becomes a busy bilingual contact centre."""

from __future__ import annotations

from console.demo.generator import DemoReport, DemoScale, database_scale, generate

__all__ = ["DemoReport", "DemoScale", "database_scale", "generate"]
