"""Starts throwaway PostgreSQL and Mosquitto servers from local binaries on free loopback ports.

Used by the test fixtures and by the demo when no service is configured. PostgreSQL refuses to
run as root, so as root the cluster is owned by and run as the `postgres` user.
"""
