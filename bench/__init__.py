"""``make bench``: this project side by side with a bare Flask route and a
tutorial-style version of the same endpoints. See docs/benchmarks.md."""
