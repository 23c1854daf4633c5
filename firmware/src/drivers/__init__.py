"""Chip drivers that take their bus and pins as constructor arguments."""
