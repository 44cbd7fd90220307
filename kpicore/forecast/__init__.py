"""The forecast: as-of pipelines, calibration, the forecast and its backtest, snapshots, risks."""
