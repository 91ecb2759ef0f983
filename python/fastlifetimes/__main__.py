"""``python -m fastlifetimes``: the ``fastlifetimes`` command (see ``fastlifetimes.cli``)."""

import sys

from .cli import main

sys.exit(main())
