"""Signal receivers of the trajects app, connected in TrajectsConfig.ready()."""

from .services import statistics_discard, statistics_regeneration_request


def statistics_renew_on_new_price_ranges(sender, thresholds, **kwargs) -> None:
    """New price ranges (SE1894): drop the statistics and queue new ones at once, on commit."""
    statistics_discard()
    statistics_regeneration_request()
