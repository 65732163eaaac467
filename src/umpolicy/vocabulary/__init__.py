"""The shared request vocabulary, and the derived facts many policies need."""
