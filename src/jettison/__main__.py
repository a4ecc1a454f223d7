"""`python -m jettison`: the same as the `jettison` command."""

from jettison.cli import main

if __name__ == "__main__":
    main()
