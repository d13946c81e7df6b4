"""Sub-commands beyond audit/checks/explain: one module per command, registered in golive.cli."""
