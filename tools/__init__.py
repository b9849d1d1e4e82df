"""Developer tools: benchmarks, the load generator and the offscreen screenshot.

Product code (``console/``, ``ui/``) never imports this package (an
import-linter contract checks it). Its commands join ``switchboard`` through
the ``switchboard.commands`` entry point (tools.commands), and tools may open
the raw services: they measure the product, they are not a front end of it.
"""
