"""Zero-cost proxies of stand-alone networks (``measures``) for every subnet of a store (``run``)."""
