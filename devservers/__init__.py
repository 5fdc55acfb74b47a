"""Local development servers for tests, CI, benchmarks and the offline demo.

`devservers.ferretdb` builds FerretDB and runs it on a private PostgreSQL
cluster, giving a real MongoDB-wire server without internet access;
`devservers.redis` runs Debian's redis-server for the shared frontier.
"""
