"""`make bench`: feedhub's serving, polling and start-up figures beside their baselines."""
