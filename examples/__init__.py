"""The example config and feed that `feedhub init` writes into a new site folder: package data."""
