"""What a person reads: number and date formats (and, in time, the message catalogues)."""
