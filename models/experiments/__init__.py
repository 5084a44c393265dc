"""The tutorial's claims as experiments: `python -m models.experiments.<name> --out DIR` prints
the key numbers and writes the figures as PNG into DIR."""
