"""``python -m touroute`` runs the command-line interface (the same as the ``touroute`` command)."""

from .cli import main

if __name__ == "__main__":
    main()
