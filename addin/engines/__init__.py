"""The engines behind the workbook protocol: a file, a live Excel workbook (xlwings), a live Calc document (UNO)."""
