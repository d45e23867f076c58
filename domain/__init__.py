"""Pure domain rules of baocao: no I/O, and no imports of the project's other packages."""
