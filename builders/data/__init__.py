"""Data sets for builders: CIFAR-10 in the official binary layout, seeded splits."""
