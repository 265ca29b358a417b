"""The flags source: OpenFeature flagd flag-definition files (files.py reads
and checks them against flagd's published schema), each flag mapped to a
catalog service by its metadata or the catalog, and the one write, flipping
a kill switch in its file so a running flagd picks it up (kill_switch.py)."""
