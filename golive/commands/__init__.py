"""Sub-commands beyond audit: one module per command, registered in golive.cli (LAZY_COMMANDS)."""
