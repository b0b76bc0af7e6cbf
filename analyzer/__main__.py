"""``python -m analyzer``: the ``msa`` command."""

from analyzer.launch import main

main()
