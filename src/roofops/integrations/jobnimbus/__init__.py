"""JobNimbus (CRM): api1 client, typed records, default status mapping and a local fake."""
