"""Forecasting: load history, run the forecast engines, store each run with its metrics."""
