"""Developer checks that are not part of `make test`: `python -m checks.corpus` (`make corpus`)."""
