#!/usr/bin/env python
"""Django's command-line utility for the Sales Module."""

import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salesmodule.settings")
    # manage.py is the developer's tool: development mode unless the environment says DEBUG=0
    # (production sets it; gunicorn and Celery, the production entry points, default to off).
    os.environ.setdefault("DEBUG", "1")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
