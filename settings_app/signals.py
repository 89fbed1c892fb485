"""Signals higher apps listen to; this app never imports them (DESIGN: layering)."""

from django.dispatch import Signal

# Sent inside the transaction that saves new price-range thresholds (SE1894), with
# `thresholds` (a list of ints). The trajects app drops its statistics and queues new ones.
price_ranges_changed = Signal()
