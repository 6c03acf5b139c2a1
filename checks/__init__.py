"""Pure rules of the decree and of the plans: no database, no HTTP (docs/architecture.md)."""
