"""The pages' tables read back through AppTest: they are HTML tables in Markdown elements
(``webapp.table``), not ``st.table`` elements."""

from __future__ import annotations

import pandas as pd

from webapp.table import table_rows


def tables(at) -> list[list[dict[str, str]]]:
    """Every table the run drew, in page order, as rows of text."""
    found = (table_rows(m.value) for m in at.markdown)
    return [rows for rows in found if rows is not None]


def table_frame(at, index: int = 0) -> pd.DataFrame:
    """Table ``index`` as a DataFrame (as ``at.table[index].value`` gave for ``st.table``)."""
    return pd.DataFrame(tables(at)[index])
