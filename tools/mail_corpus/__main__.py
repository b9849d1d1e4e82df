"""``python -m tools.mail_corpus``: rewrite the test corpus."""

import sys

from tools.mail_corpus import main

sys.exit(main())
