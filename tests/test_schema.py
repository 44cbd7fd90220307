import pandas as pd

from kpicore.model import schema
from kpicore.model.pipeline_data import ATTRIBUTES, PipelineData


def test_conform_adds_missing_columns_keeps_extras_in_order():
    raw = pd.DataFrame({"amount": [1200.0], "Région": ["Ouest"], "deal_id": ["A-1"]})
    out = schema.conform(raw, schema.DEALS)
    assert list(out.columns[: len(schema.DEALS.columns)]) == schema.DEALS.column_names
    assert list(out.columns[len(schema.DEALS.columns):]) == ["Région"]
    assert out.loc[0, "deal_id"] == "A-1" and out.loc[0, "amount"] == 1200.0
    assert out["created_on"].dtype == "datetime64[ns]" and out["created_on"].isna().all()
    assert out["owner"].dtype == "string"


def test_every_table_has_unique_columns_and_its_key_among_them():
    for table in schema.TABLES.values():
        names = table.column_names
        assert len(names) == len(set(names)), table.name
        assert set(table.key) <= set(names), table.name
        labels = [c.label_fr for c in table.columns]
        assert len(labels) == len(set(labels)), table.name


def test_pipeline_data_defaults_are_empty_canonical_frames():
    data = PipelineData()
    for attr, table in ATTRIBUTES.items():
        frame = getattr(data, attr)
        assert list(frame.columns) == table.column_names
    # the stage defaults: exactly one won stage and one lost stage
    assert data.stages["is_won"].sum() == 1 and data.stages["is_lost"].sum() == 1
