"""What every integration shares: connections and their secrets, external refs, sync runs."""
