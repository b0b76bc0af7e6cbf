"""``python -m analyzer``: the ``msa`` command."""

from analyzer.launch import main

if __name__ == "__main__":
    main()
