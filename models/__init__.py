"""Networks and runnable scripts built on minigrad (run from the repository root as
`python -m models.<name>`)."""
