"""Job money: figures with their sources, snapshots, profitability."""
