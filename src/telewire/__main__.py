"""``python -m telewire``: the same as the ``telewire`` command."""

import sys

from telewire.cli.main import main

sys.exit(main())
