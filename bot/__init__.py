"""baocao's program: the command line, the running bot and the office's files it reads."""
