"""Open-Meteo weather forecasts: the client, the forecast refresh and the weather outlook."""
