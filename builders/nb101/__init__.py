"""NAS-Bench-101: stand-alone network, channel-sliced supernet, presets."""
