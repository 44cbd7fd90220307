"""The engines that run one action on a workbook: a file, a live Excel (xlwings), LibreOffice Calc (UNO)."""
