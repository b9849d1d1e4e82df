"""Entry point for frozen builds: the same as the installed ``switchboard`` command."""

import sys

from ui.cli import main

sys.exit(main())
