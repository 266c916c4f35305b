"""The project's series model on small synthetic series: accuracy where there is signal,
sane intervals, and no crash on the awkward cases (short, constant, zeros, long seasons)."""

from __future__ import annotations

import numpy as np
import pytest

from roofops.engines.forecast.baselines import naive, seasonal_naive
from roofops.engines.forecast.metrics import mase
from roofops.engines.forecast.series import SeriesForecast, forecast_panel, forecast_series


def _seasonal(n: int, period: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    steps = np.arange(n)
    return 100 + 0.3 * steps + 15 * np.sin(2 * np.pi * steps / period) + rng.normal(0, 2, n)


def _assert_well_formed(forecast: SeriesForecast, horizon: int) -> None:
    assert forecast.mean.shape == (horizon,)
    assert np.all(np.isfinite(forecast.mean))
    for level in (80, 95):
        assert np.all(forecast.lower[level] <= forecast.mean)
        assert np.all(forecast.mean <= forecast.upper[level])


def test_a_monthly_seasonal_series_is_forecast_better_than_naive() -> None:
    y = _seasonal(96 + 12, period=12)
    train, test = y[:96], y[96:]

    forecast = forecast_series(train, 12, season_length=12)

    assert forecast.model == "ets+theta"
    model_error = mase(train, test, forecast.mean, 12)
    assert model_error < 0.7 * mase(train, test, naive(train, 12).mean, 12)


def test_a_weekly_season_too_long_for_ets_is_taken_out_and_put_back() -> None:
    y = _seasonal(208 + 13, period=52, seed=1)
    train, test = y[:208], y[208:]

    forecast = forecast_series(train, 13, season_length=52)

    assert forecast.model == "ets+theta+deseasonalized"
    model_error = mase(train, test, forecast.mean, 1)
    assert model_error < 0.5 * mase(train, test, naive(train, 13).mean, 1)


def test_the_95_interval_holds_the_80_one() -> None:
    forecast = forecast_series(_seasonal(60, period=12), 6, season_length=12)

    _assert_well_formed(forecast, 6)
    assert np.all(forecast.lower[95] < forecast.lower[80])
    assert np.all(forecast.upper[80] < forecast.upper[95])


@pytest.mark.parametrize(
    ("y", "season", "model"),
    [
        ([3.0, 5.0, 4.0], 12, "naive"),
        ([7.0] * 30, 12, "constant"),
        ([0, 0, 3, 0, 1, 0, 0, 2, 0, 0, 0, 4, 0, 1, 0, 0, 2, 0, 0], 7, "ets+theta"),
        (list(range(1, 40)), 4, "ets+theta"),
        (list(range(1, 70)), 52, "ets+theta"),  # shorter than two weekly seasons
    ],
)
def test_awkward_series_get_a_forecast(y: list[float], season: int, model: str) -> None:
    forecast = forecast_series(y, 5, season_length=season)

    assert forecast.model == model
    _assert_well_formed(forecast, 5)


def test_a_constant_series_is_forecast_flat_with_no_spread() -> None:
    forecast = forecast_series([7.0] * 30, 4, season_length=1)

    assert forecast.mean.tolist() == [7.0] * 4
    assert forecast.lower[95].tolist() == forecast.upper[95].tolist() == [7.0] * 4


def test_too_short_or_broken_series_are_refused() -> None:
    with pytest.raises(ValueError, match="at least 3 points"):
        forecast_series([1.0, 2.0], 3, season_length=1)
    with pytest.raises(ValueError, match="NaN"):
        forecast_series([1.0, float("nan"), 2.0, 3.0], 3, season_length=1)


def test_the_panel_gives_each_series_its_own_forecast() -> None:
    panel = {"a": _seasonal(48, 12, seed=2), "b": _seasonal(48, 12, seed=3) + 500}

    forecasts = forecast_panel(panel, 3, season_length=12)

    assert list(forecasts) == ["a", "b"]
    assert forecasts["b"].mean[0] > forecasts["a"].mean[0] + 400
    alone = forecast_series(panel["b"], 3, season_length=12)
    np.testing.assert_allclose(forecasts["b"].mean, alone.mean)


def test_the_panel_spread_over_processes_gives_the_same_forecasts() -> None:
    panel = {f"s{number}": _seasonal(36, 12, seed=number) for number in range(4)}

    one = forecast_panel(panel, 3, season_length=12)
    two = forecast_panel(panel, 3, season_length=12, n_jobs=2)

    assert list(two) == list(one)
    for key in panel:
        np.testing.assert_allclose(two[key].upper[95], one[key].upper[95])


def test_seasonal_naive_repeats_the_last_cycle_with_growing_intervals() -> None:
    y = [1.0, 2.0, 3.0, 1.5, 2.5, 3.5]

    forecast = seasonal_naive(y, 4, season_length=3)

    assert forecast.mean.tolist() == [1.5, 2.5, 3.5, 1.5]
    width = forecast.upper[80] - forecast.lower[80]
    assert width[0] == pytest.approx(width[2])
    assert width[3] == pytest.approx(width[0] * np.sqrt(2))
