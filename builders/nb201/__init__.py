"""NAS-Bench-201 on CIFAR-10: stand-alone network, supernet, presets."""
