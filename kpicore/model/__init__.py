"""The canonical model: the schema of the tables, PipelineData, periods, scopes and the roster, errors."""
