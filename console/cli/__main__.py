"""``python -m console.cli``: the headless commands without the UI package."""

import sys

from console.cli.main import main

sys.exit(main())
