"""Dispensary: investigational drug accountability for a clinical-trial site pharmacy."""

__version__ = "0.1.0"
