"""Answer-quality evaluation: question files, running them through the tasks, the report."""
