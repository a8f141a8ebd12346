"""Programs built on telewire: the hello bot (the demo) and the store manager."""
