"""Analysis: many solves of one problem (what-ifs, frontiers, sweeps), through solve/Session."""
