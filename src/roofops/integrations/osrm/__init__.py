"""OSRM travel times: the table-service client behind the routing engine's travel provider."""
