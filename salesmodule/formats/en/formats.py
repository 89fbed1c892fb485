"""English: dd/mm/yyyy (British, day first as in Dutch); the first input format is shown."""

from django.conf.locale.en_GB.formats import *  # noqa: F403 -- Django's, with ours below

DATE_FORMAT = "d/m/Y"  # also a bare {{ date }} in a template
DATETIME_FORMAT = "d/m/Y H:i"
SHORT_DATE_FORMAT = "d/m/Y"  # '02/12/2026'
SHORT_DATETIME_FORMAT = "d/m/Y H:i"  # '02/12/2026 15:23'
DATE_INPUT_FORMATS = [
    "%d/%m/%Y",  # '02/12/2026': what the date fields show
    "%d/%m/%y",  # '02/12/26'
    "%d-%m-%Y",  # '02-12-2026'
    "%d.%m.%Y",  # '02.12.2026'
]
FIRST_DAY_OF_WEEK = 1  # Monday
