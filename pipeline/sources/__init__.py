"""One module per source: each turns one publisher's raw files into the common long table."""
