"""Data generators and loaders of tfrnnx."""
