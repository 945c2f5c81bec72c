"""Trust on a hostile LAN: who the client is, how often it may try, which requests may write.

Modules: `settings` (the site file's `[security]` table), `clients` (the client's address,
honouring trusted proxies), `throttle` (attempt counters in the database, shared by every
server process), `cross_site` (JSON-only writes and opt-in CORS), `models` (their tables).
"""
