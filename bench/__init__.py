"""lipwa's benchmarks (`make bench`): each phase prints one JSON result; `bench.run` prints the summary."""
