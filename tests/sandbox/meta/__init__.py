"""Tests of the local Meta sandbox over real HTTP on loopback."""
