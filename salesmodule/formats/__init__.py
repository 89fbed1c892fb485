"""One date notation per language (FORMAT_MODULE_PATH), the same in display and edit fields.

Dutch: dd-mm-jjjj ('02-12-2026'), never Django's 'j-n-Y' ('2-12-2026'). English: the British
dd/mm/yyyy, day first like the Dutch, so a user who switches language never reads 2 December
as 12 February. Django adds the ISO notation (2026-12-02) to every input list itself.
"""
