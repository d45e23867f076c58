"""The `baocao` command: the sub-command registry, shared options, a module per group."""
