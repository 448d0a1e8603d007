"""Load and scale measurements, run on demand (never part of the test suite)."""
