"""One repository per table group; each module has a reader and a writer class."""
