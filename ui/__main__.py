"""``python -m ui``: the same as the ``switchboard`` command."""

import sys

from ui.cli import main

sys.exit(main())
