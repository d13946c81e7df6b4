"""History: past audits stored and graded.

:mod:`.store` keeps every audit run from the command line in an SQLite database, compares
it with the previous one (new, fixed, unchanged findings) and grades it; :mod:`.trend` draws
the trend of failing findings (a terminal sparkline and an inline SVG chart).
"""
