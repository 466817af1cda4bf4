"""Run bulletin from a checkout without installing: `python cli.py --help`."""

from bulletin.cli import main

if __name__ == "__main__":
    main()
