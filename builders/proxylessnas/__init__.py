"""ProxylessNAS (mobile search space): stand-alone chain network, supernet, presets."""
