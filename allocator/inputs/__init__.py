"""Inputs: instance folders and mandate files, validated into immutable objects (no model)."""
