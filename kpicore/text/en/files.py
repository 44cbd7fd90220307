"""A client's file refused as it is read or locked (``workbook_templates.reading``, ``.archive_guard``,
``.file_lock``, ``.safe_file``): each message, then its fix under the same code followed by ``.fix``."""

_SAVE_AS = "Open it in Excel and save it as “Excel Workbook (*.xlsx)” or “CSV UTF-8”."
_RESAVE = "Save the workbook again from Excel."
_DAMAGED_FIX = ("Open it in {app} to check that it is not damaged, then save it again "
                "(preferably as “Excel Workbook (*.xlsx)”).")

MESSAGES = {
    # reading the file
    "file.read.missing": "file not found.",
    "file.read.missing.fix": "Check the path: {where}",
    "file.read.folder": "this is a folder, not a file.",
    "file.read.folder.fix": "Give the workbook file itself.",
    "file.read.unreadable": "cannot be read ({reason}).",
    "file.read.unreadable.fix": "Close the file if it is open elsewhere and check your access rights.",
    "file.read.empty": "the file is empty (0 bytes).",
    "file.read.empty.fix": "Export or save the file again.",
    "file.read.encrypted": "the workbook is protected by a password (encrypted).",
    "file.read.encrypted.fix": ("Open it in Excel, remove the password (File > Info > Protect Workbook > "
                                "Encrypt with Password, empty field) and save it."),
    "file.read.not_that_format": "this is not a valid {suffix} workbook (content not recognised).",
    "file.read.not_that_format.fix": "The file may be damaged or misnamed: export it again.",
    "file.read.damaged_zip": "the workbook is damaged or incomplete (unreadable zip archive).",
    "file.read.damaged_zip.fix": ("The file may have been cut short while being copied or sent: get a complete "
                                  "copy or save it again from Excel."),
    "file.read.xlsb": "Excel Binary Workbook format (.xlsb), not supported.",
    "file.read.xlsb.fix": _SAVE_AS,
    "file.read.not_excel": "this is not an Excel workbook ({kind}).",
    "file.read.not_excel.fix": "Give the .xlsx workbook of the sales pipeline.",
    "file.read.kind.word": "a Word document",
    "file.read.kind.powerpoint": "a PowerPoint presentation",
    "file.read.kind.opendocument": "an OpenDocument file (not a spreadsheet)",
    "file.read.kind.zip": "a zip archive",
    "file.read.structure": "workbook structure refused ({error}).",
    "file.read.structure.fix": _RESAVE,
    "file.read.damaged.xls": "the Excel 97-2003 workbook (.xls) could not be read ({error}).",
    "file.read.damaged.xls.fix": _DAMAGED_FIX.format(app="Excel"),
    "file.read.damaged.ods": "the OpenDocument workbook (.ods) could not be read ({error}).",
    "file.read.damaged.ods.fix": _DAMAGED_FIX.format(app="LibreOffice or Excel"),
    "file.read.damaged.xlsx": "the workbook could not be read ({error}).",
    "file.read.damaged.xlsx.fix": _DAMAGED_FIX.format(app="Excel"),
    "file.read.no_sheet": "the workbook holds no sheet.",
    "file.read.no_sheet.fix": "Check the file.",
    "file.read.binary": "this is neither an Excel workbook nor a CSV file (binary content).",
    "file.read.binary.fix": "Give the .xlsx workbook or a .csv export of the pipeline.",
    "file.read.no_data": "the file holds no data.",
    "file.read.no_data.fix": "Export the file again.",
    "file.read.changing": ("the file changed during every read (another program is saving it)"),
    "file.read.changing.fix": ("wait until the save or the sync (OneDrive, SharePoint...) is over, then run "
                               "again."),
}
