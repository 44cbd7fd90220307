Attribute VB_Name = "Pilotage"
' Pilotage: the ribbon's VBA dispatcher (kept as text in addin/excel/vba/Pilotage.bas).
'
' Every button of the Pilotage tab calls Dispatch with itself; Dispatch hands the
' button's id to Python, which looks the action up in addin.excel.ribbon_actions.ACTIONS
' and runs it on the calling workbook. One dispatcher, so a new button needs no VBA.
' RunPython and ImportPythonUDFsToAddin come from the xlwings module of the add-in.
' ASCII only: Excel imports a .bas file in the system code page.
Option Explicit

Public Sub Dispatch(control As IRibbonControl)
    RunPython "import addin.excel.ribbon as r; r.dispatch('" & control.Id & "')"
End Sub

Public Sub ImportFunctions(control As IRibbonControl)
    ' makes the PILOT_ functions of addin.excel.udfs available in every workbook (Windows)
    ImportPythonUDFsToAddin
End Sub
