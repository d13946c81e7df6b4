"""golive's shipped data: the Django tables (:mod:`golive.data.tables`) and their JSON files."""
