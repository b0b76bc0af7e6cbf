"""Golden trees are expected output, not tests: pytest must not collect the generated services'
own test files stored here (they run from tests/test_scaffold_generated.py on a fresh scaffold).

Refresh the scaffold golden tree with ``MSA_UPDATE_GOLDEN=1 pytest tests/test_scaffold_golden.py``.
"""

collect_ignore_glob = ["*"]
