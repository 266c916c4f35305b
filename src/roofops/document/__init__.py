"""Documents the office keeps on a job, and what of them and of the site photos the office
shares with the job's customer (the portal shows only what is shared)."""
