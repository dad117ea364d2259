"""Synthetic data: instances generated at any size, OR-Library knapsacks, sampled scenarios."""
