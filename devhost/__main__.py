"""`python -m devhost`: see devhost/cli.py."""

from devhost.cli import main

raise SystemExit(main())
