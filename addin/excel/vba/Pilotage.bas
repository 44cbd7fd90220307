Attribute VB_Name = "Pilotage"
' Pilotage: the ribbon's VBA dispatcher (kept as text in addin/excel/vba/Pilotage.bas).
'
' Every button of the Pilotage tab calls Dispatch with itself; Dispatch hands the
' button's id to Python, which looks the action up in addin.excel.ribbon_actions.ACTIONS
' and runs it on the calling workbook. One dispatcher, so a new button needs no VBA.
' RunPython and ImportPythonUDFsToAddin come from the xlwings module of the add-in.
' ASCII only: Excel imports a .bas file in the system code page.
Option Explicit

' The change count the cell functions key their cache on (addin.excel.udfs.change_count): one count
' per workbook, raised by every edit, every recalculation and every opening Excel reports to the
' PilotageEvents class, so that a table read once serves the cells of one recalculation and never
' outlives a change. Empty until Auto_Open has hooked the events: Python then reads the table again.
Private Events As PilotageEvents
Private Counts As Object

Public Sub Auto_Open()
    Set Events = New PilotageEvents
    Set Events.App = Application
End Sub

Public Sub Bump(ByVal book As String)
    If Counts Is Nothing Then Set Counts = CreateObject("Scripting.Dictionary")
    Counts(book) = Counts(book) + 1
End Sub

Public Function ChangeCount(ByVal book As String) As Variant
    If Events Is Nothing Then
        ChangeCount = Empty
        Exit Function
    End If
    If Counts Is Nothing Then Set Counts = CreateObject("Scripting.Dictionary")
    ChangeCount = CLng(Counts(book))
End Function

Public Sub Dispatch(control As IRibbonControl)
    RunPython "import addin.excel.ribbon as r; r.dispatch('" & control.Id & "')"
End Sub

Public Sub ImportFunctions(control As IRibbonControl)
    ' makes the PILOT_ functions of addin.excel.udfs available in every workbook (Windows)
    ImportPythonUDFsToAddin
End Sub
