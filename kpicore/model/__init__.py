"""The canonical model: the schema of the tables, PipelineData, periods, scopes and the roster, errors,
the reports of a source's reading and quality, the structure of the KPI dictionary, the JSON schemas."""
