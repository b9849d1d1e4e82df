"""File sizes as people read them, in the window and on the command line."""

from __future__ import annotations

import pytest

from console.units import human_size


@pytest.mark.parametrize(("size", "shown"), [
    (0, "0 bytes"), (1, "1 byte"), (1023, "1,023 bytes"), (1024, "1.0 KB"),
    (14 * 1024 + 300, "14 KB"), (1_258_291, "1.2 MB"), (48_000_000, "46 MB"),
    (5 * 1024**4, "5.0 TB"), (3000 * 1024**4, "3,000 TB"),
])
def test_sizes_read_in_the_largest_unit_that_fits(size: int, shown: str) -> None:
    assert human_size(size) == shown
