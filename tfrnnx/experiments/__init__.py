"""Experiment support: training loops behind the scripts in scripts/."""
