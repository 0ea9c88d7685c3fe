"""Di64 space: supernet, stand-alone network and presets (TODO(new-space): one line on what differs from the paper)."""
