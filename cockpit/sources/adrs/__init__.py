"""The `adrs` source: a folder of architecture decision records
(parse.py reads one file, source.py the folder and the links between them)."""
