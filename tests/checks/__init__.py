"""Tests of the pure rules in checks/."""
